// Volume and mount options of docker run/create: -v (docker's compose loader ParseVolume, as
// the CLI uses it) and --mount (opts.MountOpt). Error texts are docker's.

import { parseBool, parseUint } from '../../go/strconv';
import { readCsvRecord } from '../flags/values';
import { ramInBytes } from '../../go/units';

export interface VolumeSpec {
  type: 'volume' | 'bind';
  source: string;
  target: string;
  readOnly: boolean;
  noCopy: boolean;
  propagation?: string;
}

const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function isWindowsDrive(buffer: string[], ch: string): boolean {
  return ch === ':' && buffer.length === 1 && /\p{L}/u.test(buffer[0]);
}

function isFilePath(source: string): boolean {
  if (['.', '/', '~'].includes(source[0])) return true;
  const characters = [...source];
  if (characters.length === 1) return false;
  if (source.startsWith('\\\\')) return true;
  return isWindowsDrive([characters[0]], characters[1]);
}

/** loader.ParseVolume: "/data", "name:/p:ro", "/host:/c:rw,rshared". */
export function parseVolume(spec: string): VolumeSpec {
  const volume: VolumeSpec = { type: 'volume', source: '', target: '', readOnly: false, noCopy: false };
  if (spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) {
    volume.target = spec;
    return volume;
  }
  const end = '\0';
  let buffer: string[] = [];
  for (const ch of [...spec, end]) {
    if (isWindowsDrive(buffer, ch)) buffer.push(ch);
    else if (ch === ':' || ch === end) {
      const text = buffer.join('');
      let problem: string | undefined;
      if (buffer.length === 0) problem = 'empty section between colons';
      else if (volume.source === '' && ch === end) volume.target = text;
      else if (volume.source === '') volume.source = text;
      else if (volume.target === '') volume.target = text;
      else if (ch === ':') problem = 'too many colons';
      else {
        for (const option of text.split(',')) {
          if (option === 'ro') volume.readOnly = true;
          else if (option === 'rw') volume.readOnly = false;
          else if (option === 'nocopy') volume.noCopy = true;
          else if (propagations.includes(option)) volume.propagation = option;
        }
      }
      if (problem) throw new Error(`invalid spec: ${spec}: ${problem}`);
      buffer = [];
    } else buffer.push(ch);
  }
  volume.type = volume.source !== '' && isFilePath(volume.source) ? 'bind' : 'volume';
  return volume;
}

/** A relative bind source ("./data") made absolute against the client's working directory. */
function absolutePath(path: string, cwd: string): string {
  const parts = `${cwd}/${path}`.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

export interface VolumeFlags {
  /** HostConfig.Binds: "-v" values that name a source. */
  binds: string[];
  /** Config.Volumes: anonymous volumes ("-v /data"). */
  volumes: string[];
}

/** How docker run splits -v values into Binds and anonymous Volumes. */
export function splitVolumeFlags(values: readonly string[], cwd: string): VolumeFlags {
  const result: VolumeFlags = { binds: [], volumes: [] };
  for (const value of [...new Set(values)]) {
    const parsed = parseVolume(value);
    if (parsed.source === '') {
      result.volumes.push(value);
      continue;
    }
    let bind = value;
    if (parsed.type === 'bind') {
      const colon = value.indexOf(':');
      if (colon !== -1) {
        let host = value.slice(0, colon);
        if (!host.startsWith('/') && host.startsWith('.')) host = absolutePath(host, cwd);
        bind = host + value.slice(colon);
      }
    }
    result.binds.push(bind);
  }
  return result;
}

export interface Mount {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  ImageOptions?: { Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** opts.MountOpt.Set: one --mount value ("type=bind,source=/a,target=/b,readonly"). */
export function parseMount(value: string, cwd = '/'): Mount {
  let fields: string[];
  try {
    fields = readCsvRecord(value);
  } catch (error) {
    throw error instanceof Error ? error : new Error(String(error));
  }
  const mount: Mount = { Type: 'volume', Target: '' };
  const volumeOptions = (): NonNullable<Mount['VolumeOptions']> => {
    mount.VolumeOptions ??= { Labels: {} };
    mount.VolumeOptions.DriverConfig ??= {};
    return mount.VolumeOptions;
  };
  const bindOptions = (): NonNullable<Mount['BindOptions']> => (mount.BindOptions ??= {});
  const tmpfsOptions = (): NonNullable<Mount['TmpfsOptions']> => (mount.TmpfsOptions ??= {});
  const setOnMap = (target: Record<string, string>, text: string): void => {
    const equals = text.indexOf('=');
    const key = equals === -1 ? text : text.slice(0, equals);
    if (key !== '') target[key] = equals === -1 ? '' : text.slice(equals + 1);
  };
  const boolValue = (key: string, text: string, message = `invalid value for ${key}: ${text}`): boolean => {
    try {
      return parseBool(text);
    } catch {
      throw new Error(message);
    }
  };
  for (const field of fields) {
    const equals = field.indexOf('=');
    const key = (equals === -1 ? field : field.slice(0, equals)).toLowerCase();
    const text = equals === -1 ? '' : field.slice(equals + 1);
    if (equals === -1) {
      if (key === 'readonly' || key === 'ro') mount.ReadOnly = true;
      else if (key === 'volume-nocopy') volumeOptions().NoCopy = true;
      else if (key === 'bind-nonrecursive') bindOptions().NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        mount.Type = text.toLowerCase();
        break;
      case 'source':
      case 'src':
        mount.Source = !text.startsWith('/') && text.startsWith('.') ? absolutePath(text, cwd) : text;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = text;
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = boolValue(key, text);
        break;
      case 'consistency':
        mount.Consistency = text.toLowerCase();
        break;
      case 'bind-propagation':
        bindOptions().Propagation = text.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = boolValue(key, text);
        break;
      case 'bind-recursive':
        if (text === 'disabled') bindOptions().NonRecursive = true;
        else if (text === 'writable') bindOptions().ReadOnlyNonRecursive = true;
        else if (text === 'readonly') bindOptions().ReadOnlyForceRecursive = true;
        else if (text !== 'enabled') {
          throw new Error(`invalid value for ${key}: ${text} (must be "enabled", "disabled", "writable", or "readonly")`);
        }
        break;
      case 'volume-subpath':
        volumeOptions().Subpath = text;
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = boolValue(key, text, `invalid value for volume-nocopy: ${text}`);
        break;
      case 'volume-label':
        setOnMap((volumeOptions().Labels ??= {}), text);
        break;
      case 'volume-driver':
        volumeOptions().DriverConfig = { ...volumeOptions().DriverConfig, Name: text };
        break;
      case 'volume-opt': {
        const driver = volumeOptions().DriverConfig ?? {};
        driver.Options ??= {};
        setOnMap(driver.Options, text);
        volumeOptions().DriverConfig = driver;
        break;
      }
      case 'image-subpath':
        mount.ImageOptions = { ...mount.ImageOptions, Subpath: text };
        break;
      case 'tmpfs-size':
        try {
          tmpfsOptions().SizeBytes = ramInBytes(text);
        } catch {
          throw new Error(`invalid value for ${key}: ${text}`);
        }
        break;
      case 'tmpfs-mode':
        try {
          tmpfsOptions().Mode = Number(parseUint(text, 8, 32));
        } catch {
          throw new Error(`invalid value for ${key}: ${text}`);
        }
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (mount.Type === '') throw new Error('type is required');
  if (mount.Target === '') throw new Error('target is required');
  if (mount.VolumeOptions && mount.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.ImageOptions && mount.Type !== 'image') throw new Error(`cannot mix 'image-*' options with mount type '${mount.Type}'`);
  if (mount.BindOptions && mount.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.TmpfsOptions && mount.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  if (mount.BindOptions?.ReadOnlyNonRecursive && !mount.ReadOnly) {
    throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  }
  if (mount.BindOptions?.ReadOnlyForceRecursive) {
    if (!mount.ReadOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (mount.BindOptions.Propagation !== 'rprivate') {
      throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
    }
  }
  return mount;
}
