// The page's address names the place: `#/zh/02-images/01-pull` opens a lesson, `#/zh/02-images/01-pull/pull`
// a step of it, `#/en` the start page. The hash router keeps reload, back and forward working on a
// static host with no server-side routes.

import type { Lang } from '../../lessons/types';

export interface Route {
  lang: Lang;
  /** `PART/LESSON`, e.g. `02-images/01-pull`; undefined on the start page. */
  lesson?: string;
  step?: string;
}

const SEGMENT = /^[0-9]{2}-[a-z0-9-]+$/;
const STEP = /^[a-z0-9-]+$/;

/** The route in a location hash, or undefined when the hash names no place (the caller picks a language). */
export function parseHash(hash: string): Route | undefined {
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return undefined;
  const [lang, part, lesson, step, ...rest] = path.split('/').map((s) => decodeURIComponent(s));
  if (lang !== 'zh' && lang !== 'en') return undefined;
  if (part === undefined || part === '') return { lang };
  if (!SEGMENT.test(part) || lesson === undefined || !SEGMENT.test(lesson) || rest.length > 0) return { lang };
  if (step !== undefined && step !== '' && STEP.test(step)) return { lang, lesson: `${part}/${lesson}`, step };
  return { lang, lesson: `${part}/${lesson}` };
}

export function formatHash(route: Route): string {
  let hash = `#/${route.lang}`;
  if (route.lesson) hash += `/${route.lesson}`;
  if (route.lesson && route.step) hash += `/${route.step}`;
  return hash;
}
