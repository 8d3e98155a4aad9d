// Flag texts and filter options shared by the container commands.

import { ListValue, type FlagSet } from '../../flags';

export { formatHelp, inspectFormatHelp } from '../format-help';

/** opts.FilterOpt: "-f key=value", repeated; sent as {"key":{"value":true}}. */
export function filterFlag(flags: FlagSet, usage = 'Filter output based on conditions provided'): ListValue {
  return flags.define(
    'filter',
    new ListValue(
      [],
      (raw) => {
        const value = raw.trim();
        if (!value.includes('=')) throw new Error('bad format of filter (expected name=value)');
        const eq = value.indexOf('=');
        return `${value.slice(0, eq).trim().toLowerCase()}=${value.slice(eq + 1).trim()}`;
      },
      'filter',
    ),
    usage,
    { shorthand: 'f' },
  );
}

export function filtersJson(values: readonly string[]): string | undefined {
  if (values.length === 0) return undefined;
  const filters: Record<string, Record<string, boolean>> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    (filters[value.slice(0, eq)] ??= {})[value.slice(eq + 1)] = true;
  }
  const sorted: Record<string, Record<string, boolean>> = {};
  for (const key of Object.keys(filters).sort()) sorted[key] = filters[key];
  return JSON.stringify(sorted);
}
