// Environment and label options: -e/--env, --env-file, -l/--label, --label-file, with docker's
// rules (a bare "-e K" takes the client's value; env files keep values verbatim).

/** Looks a variable up in the client's environment (found: its value; absent: undefined). */
export type EnvLookup = (name: string) => string | undefined;

/** opts.ValidateEnv: "K=V" as given; "K" becomes "K=<client value>" when the client has K. */
export function validateEnv(value: string, lookup: EnvLookup): string {
  const equals = value.indexOf('=');
  const key = equals === -1 ? value : value.slice(0, equals);
  if (key === '') throw new Error(`invalid environment variable: ${value}`);
  if (equals !== -1) return value;
  const found = lookup(key);
  return found !== undefined ? `${key}=${found}` : value;
}

/**
 * kvfile.Parse for an env or label file already read as text: leading whitespace trimmed, blank
 * lines and `#` comments skipped, "K=V" kept verbatim, a bare "K" looked up (dropped if unset).
 * `filename` only appears in error messages, as docker prints it.
 */
export function parseEnvFile(filename: string, content: string | Uint8Array, lookup?: EnvLookup): string[] {
  const fail = (reason: string): never => {
    throw new Error(`invalid env file (${filename}): ${reason}`);
  };
  let text: string;
  if (typeof content === 'string') text = content;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      // Find the first line with invalid UTF-8 for docker's message.
      let start = 0;
      let line = 1;
      for (let i = 0; i <= content.length; i++) {
        if (i === content.length || content[i] === 0x0a) {
          const bytes = content.slice(start, i);
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            fail(`invalid utf8 bytes at line ${line}: [${[...bytes].join(' ')}]`);
          }
          start = i + 1;
          line++;
        }
      }
      text = '';
    }
  }
  const lines: string[] = [];
  text.split('\n').forEach((rawLine, index) => {
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (index === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    line = line.replace(/^\s+/u, '');
    if (line.length === 0 || line[0] === '#') return;
    const equals = line.indexOf('=');
    const key = equals === -1 ? line : line.slice(0, equals);
    if (key.length === 0) fail(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) fail(`variable '${key}' contains whitespaces`);
    if (equals !== -1) {
      lines.push(line);
      return;
    }
    const value = lookup?.(line);
    if (value !== undefined) lines.push(`${key}=${value}`);
  });
  return lines;
}

/** opts.ReadKVEnvStrings: env files first, then -e values (which win). */
export function readKVEnvStrings(files: readonly { name: string; content: string | Uint8Array }[], overrides: readonly string[], lookup: EnvLookup): string[] {
  const variables: string[] = [];
  for (const file of files) variables.push(...parseEnvFile(file.name, file.content, lookup));
  return [...variables, ...overrides];
}

/** opts.ValidateLabel: "k=v" or "k" (empty value); the key may not be empty or hold whitespace. */
export function validateLabel(value: string): string {
  const equals = value.indexOf('=');
  const key = (equals === -1 ? value : value.slice(0, equals)).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** opts.ConvertKVStringsToMap: ["k=v", "k2"] → {k: "v", k2: ""}. */
export function convertKVStringsToMap(values: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    result[equals === -1 ? value : value.slice(0, equals)] = equals === -1 ? '' : value.slice(equals + 1);
  }
  return result;
}
