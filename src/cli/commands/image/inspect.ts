// docker image inspect (cli/command/image/inspect.go and cli/command/inspect).

import type { DockerEnv } from '../../env';
import { StatusError, defineCommand, requiresMinArgs, type CommandDefinition, type StringValue } from '../../flags';
import { Template, TemplateError, parseFormat, toGoJson } from '../../formatter';
import { checkResponse, inspectFormatHelp } from './common';
import { inspectRawValue, inspectValue } from './formatter';

/** encoding/json's MarshalIndent with 4 spaces, HTML characters escaped as Go does. */
export function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The output of an inspect without a template: MarshalIndent of the list ("[]" when empty), or with
 * `--format json` the compact list on one line; with a template, the template once per object.
 */
export function renderInspect(format: string, elements: readonly unknown[]): string {
  if (format === '') {
    if (elements.length === 0) return '[]\n';
    return `${indentJson(elements)}\n`;
  }
  if (format === 'json') return `[${elements.map((element) => toGoJson(element)).join(',')}]\n`;
  const template = parseFormat(format);
  return elements.map((element) => `${executeInspect(template, element)}\n`).join('');
}

/**
 * docker/cli's TemplateInspector: the template runs on the typed value; if that fails it runs again
 * on the raw JSON with missingkey=error, whose error (if any) is the one printed.
 */
function executeInspect(template: Template, element: unknown): string {
  try {
    return template.execute(inspectValue(element));
  } catch (typedError) {
    if (!(typedError instanceof TemplateError)) throw typedError;
    try {
      return template.execute(inspectRawValue(element), { missingKeyError: true });
    } catch (rawError) {
      if (rawError instanceof TemplateError) throw new TemplateError(`template parsing error: ${rawError.message}`);
      throw rawError;
    }
  }
}

/**
 * docker/cli's inspect.Inspect for a list of names (every inspect command): a bad template is exit
 * status 64; each name is fetched with `get` (which throws the text docker prints for it) and
 * inspected; what was inspected is printed (a template that printed nothing prints an empty line, an
 * empty list "[]"), then the errors, in the order of the names, joined (exit status 1).
 */
export async function inspectEach(env: DockerEnv, names: readonly string[], format: string, get: (name: string) => Promise<unknown>): Promise<void> {
  let template: Template | undefined;
  if (format !== '' && format !== 'json') {
    try {
      template = parseFormat(format);
    } catch (error) {
      throw new StatusError((error as Error).message, 64);
    }
  }
  const elements: unknown[] = [];
  const errors: string[] = [];
  let output = '';
  for (const name of names) {
    let element: unknown;
    try {
      element = await get(name);
    } catch (error) {
      errors.push((error as Error).message);
      continue;
    }
    if (!template) {
      elements.push(element);
      continue;
    }
    try {
      output += `${executeInspect(template, element)}\n`;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      errors.push(error.message);
    }
  }
  env.stdout(template ? (output === '' ? '\n' : output) : renderInspect(format, elements));
  if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
}

export function imageInspectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ format: StringValue }, DockerEnv>({
    use: 'inspect [OPTIONS] IMAGE [IMAGE...]',
    short: 'Display detailed information on one or more images',
    args: requiresMinArgs(1),
    flags: (f) => {
      const format = f.string('format', 'f', '', inspectFormatHelp);
      f.string(
        'platform',
        '',
        '',
        "Inspect a specific platform of the multi-platform image.\nIf the image or the server is not multi-platform capable, the command will error out if the platform does not match.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
      );
      f.setAnnotation('platform', 'version', ['1.49']);
      return { format };
    },
    run: ({ args, options, env }) =>
      inspectEach(env, args, options.format.value, async (name) => (await checkResponse(await env.client.request('GET', `/images/${encodeURIComponent(name)}/json`))).json()),
  });
}
