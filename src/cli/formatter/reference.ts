// Image references as docker's distribution/reference normalises them, enough for display:
// "busybox" is docker.io/library/busybox, and its familiar form drops those parts again.

export interface ImageReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** reference.ParseNormalizedNamed; throws docker's error text for an invalid reference. */
export function parseNormalizedNamed(text: string): ImageReference {
  if (/^[a-f0-9]{64}$/.test(text)) {
    throw new Error(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw new Error('invalid reference format');
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagPattern.test(tag)) throw new Error('invalid reference format');
  }
  let domain = 'docker.io';
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) throw new Error('invalid reference format: repository name must be lowercase');
  if (path === '' || !path.split('/').every((part) => pathComponent.test(part))) throw new Error('invalid reference format');
  return { domain, path, tag, digest };
}

/** The short name people type: "busybox", "myuser/app", "registry:5000/app". */
export function familiarName(reference: ImageReference): string {
  if (reference.domain !== 'docker.io') return `${reference.domain}/${reference.path}`;
  const path = reference.path;
  return path.startsWith('library/') && path.split('/').length === 2 ? path.slice('library/'.length) : path;
}

/**
 * The IMAGE column of ps: the familiar name with its tag (a digest is dropped), or undefined when
 * `image` does not parse as a reference (an image id, for instance).
 */
export function familiarString(image: string): string | undefined {
  try {
    const reference = parseNormalizedNamed(image);
    return reference.tag !== undefined ? `${familiarName(reference)}:${reference.tag}` : familiarName(reference);
  } catch {
    return undefined;
  }
}
