// The split between the lesson pane, the terminal and the side region: percentages of the page's
// width, remembered in localStorage. Under NARROW_PX the regions become tabs instead.

export const NARROW_PX = 900;

export interface SplitSizes {
  /** The lesson pane's width, % of the page. */
  lesson: number;
  /** The side region's width, % of the page. */
  side: number;
}

const KEY = 'dockside.layout';
export const DEFAULT_SIZES: SplitSizes = { lesson: 38, side: 18 };
/** The terminal keeps at least this much of the width. */
const TERMINAL_MIN = 30;
export const LIMITS = { lesson: { min: 20, max: 60 }, side: { min: 10, max: 35 } } as const;

export function clampSizes(sizes: SplitSizes): SplitSizes {
  const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, Number.isFinite(v) ? v : min));
  const lesson = clamp(sizes.lesson, LIMITS.lesson.min, LIMITS.lesson.max);
  const side = clamp(sizes.side, LIMITS.side.min, Math.min(LIMITS.side.max, 100 - TERMINAL_MIN - lesson));
  return { lesson: Math.round(lesson * 10) / 10, side: Math.round(side * 10) / 10 };
}

export function loadSizes(storage: Pick<Storage, 'getItem'>): SplitSizes {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<SplitSizes> | null;
    if (saved && typeof saved.lesson === 'number' && typeof saved.side === 'number') return clampSizes({ lesson: saved.lesson, side: saved.side });
  } catch {
    // an unreadable setting is the default
  }
  return { ...DEFAULT_SIZES };
}

export function saveSizes(storage: Pick<Storage, 'setItem'>, sizes: SplitSizes): void {
  storage.setItem(KEY, JSON.stringify(sizes));
}

export type Region = 'lesson' | 'terminal' | 'side';
