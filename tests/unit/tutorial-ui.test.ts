// The tutorial page's pure parts: the address of a place, the remembered split, the page's strings.

import { describe, expect, it } from 'vitest';
import { LANGS, preferredLang, t, type StringKey } from '../../src/ui/i18n';
import { clampSizes, DEFAULT_SIZES, LIMITS, loadSizes, saveSizes } from '../../src/ui/tutorial/layout';
import { formatHash, parseHash } from '../../src/ui/tutorial/route';

const memory = (): Storage => {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, value),
  };
};

describe('routes', () => {
  it('reads a lesson, a step and the start page from the hash', () => {
    expect(parseHash('#/zh/02-images/01-pull')).toEqual({ lang: 'zh', lesson: '02-images/01-pull' });
    expect(parseHash('#/en/02-images/01-pull/pull')).toEqual({ lang: 'en', lesson: '02-images/01-pull', step: 'pull' });
    expect(parseHash('#/en')).toEqual({ lang: 'en' });
    expect(parseHash('#/en/')).toEqual({ lang: 'en' });
    expect(parseHash('')).toBeUndefined();
    expect(parseHash('#/fr/02-images/01-pull')).toBeUndefined();
    // Not a lesson address: the language's start page.
    expect(parseHash('#/zh/images')).toEqual({ lang: 'zh' });
    expect(parseHash('#/zh/02-images/01-pull/Bad Step')).toEqual({ lang: 'zh', lesson: '02-images/01-pull' });
  });

  it('writes what it reads', () => {
    for (const hash of ['#/zh', '#/en/01-docker/01-client-server', '#/zh/03-containers/02-run/name-it']) expect(formatHash(parseHash(hash)!)).toBe(hash);
  });
});

describe('split sizes', () => {
  it('are remembered and clamped so the terminal keeps its room', () => {
    const storage = memory();
    expect(loadSizes(storage)).toEqual(DEFAULT_SIZES);
    saveSizes(storage, { lesson: 45, side: 20 });
    expect(loadSizes(storage)).toEqual({ lesson: 45, side: 20 });
    expect(clampSizes({ lesson: 90, side: 50 })).toEqual({ lesson: LIMITS.lesson.max, side: 100 - 30 - LIMITS.lesson.max });
    expect(clampSizes({ lesson: 1, side: 1 })).toEqual({ lesson: LIMITS.lesson.min, side: LIMITS.side.min });
    storage.setItem('dockside.layout', '{broken');
    expect(loadSizes(storage)).toEqual(DEFAULT_SIZES);
  });
});

describe('the page strings', () => {
  it('exist in both languages and fill their placeholders', () => {
    expect(t('en', 'stepOf', { n: 2, total: 5 })).toBe('Step 2 of 5');
    expect(t('zh', 'stepOf', { n: 2, total: 5 })).toBe('第 2 步，共 5 步');
    for (const lang of LANGS) expect(t(lang, 'resetLesson' as StringKey).length).toBeGreaterThan(0);
  });

  it('open in the language chosen before, else the browser’s', () => {
    const storage = memory();
    expect(preferredLang(storage, ['zh-CN', 'en'])).toBe('zh');
    expect(preferredLang(storage, ['de-DE', 'en-US'])).toBe('en');
    storage.setItem('dockside.lang', 'en');
    expect(preferredLang(storage, ['zh-CN'])).toBe('en');
  });
});
