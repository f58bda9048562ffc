/**
 * The disk sources of the fingerprint on Linux (linux-hardware.ts): the two `lsblk` listings
 * systeminformation 5 reads for `diskLayout` and `blockDevices` (lib/filesystem.js), run with
 * the same arguments and environment and parsed by the same steps, for the fields the
 * fingerprint reads. What this leaves out of systeminformation's work changes none of them:
 * the shell around lsblk, `cat …/queue/rotational`, `smartctl` (health and temperature) and
 * `mdadm` (RAID labels and members). When lsblk fails or prints what systeminformation would
 * handle on its fallback path (an lsblk too old for `-J` or for the TRAN and SERIAL columns),
 * the reader is unsure and systeminformation answers.
 *
 * The parsing steps are adapted from systeminformation 5 (MIT licence, Copyright (c)
 * 2014-2026 Sebastian Hildebrandt), so that both give the same values; its licence is in
 * systeminformation.LICENSE beside this file.
 */
import type { SourceResults } from './hardware-sources.ts';

/** Runs a program (no shell) and gives its standard output, or throws when it fails or exits non-zero. */
export type RunTool = (
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) => Promise<string>;

/** The listing systeminformation's `blockDevices` parses (its first command). */
export const BLOCK_DEVICES_ARGS = [
  '-bPo',
  'NAME,TYPE,SIZE,FSTYPE,MOUNTPOINT,UUID,ROTA,RO,RM,TRAN,SERIAL,LABEL,MODEL,OWNER',
];
/** The listing systeminformation's `diskLayout` parses (run with LC_ALL=C). */
export const DISK_LAYOUT_ARGS = ['-ablJO'];

/** systeminformation's `util.sanitizeShellString(str, strict)` (lib/util.js). */
function sanitizeShellString(str: unknown, strict = false): string {
  const s = str || '';
  if (typeof s !== 'string') return ''; // systeminformation's loop runs no step for a non-string
  const refused = new Set([
    '>',
    '<',
    '*',
    '?',
    '[',
    ']',
    '|',
    '˚',
    '$',
    ';',
    '&',
    '#',
    '%',
    '!',
    '^',
    '\\',
    '\t',
    '\n',
    '\r',
    "'",
    '`',
    '"',
  ]);
  const strictlyRefused = new Set(['(', ')', '@', ' ', '{', ';', '}']);
  let result = '';
  const l = Math.min(s.length, 2000);
  for (let i = 0; i <= l; i++) {
    const c = s[i];
    if (
      c === undefined ||
      refused.has(c) ||
      (c >= '‘' && c <= '„') ||
      (c >= '–' && c <= '―') ||
      c.length > 1 ||
      (strict && strictlyRefused.has(c))
    )
      continue;
    result += c;
  }
  return result;
}

/** systeminformation's `blkStdoutToObject` (lib/filesystem.js): lsblk's KEY="value" pairs as JSON lines. */
function blkStdoutToObject(stdout: string): string {
  return stdout
    .replace(/NAME=/g, '{"name":')
    .replace(/FSTYPE=/g, ',"fsType":')
    .replace(/TYPE=/g, ',"type":')
    .replace(/SIZE=/g, ',"size":')
    .replace(/MOUNTPOINT=/g, ',"mountpoint":')
    .replace(/UUID=/g, ',"uuid":')
    .replace(/ROTA=/g, ',"rota":')
    .replace(/RO=/g, ',"ro":')
    .replace(/RM=/g, ',"rm":')
    .replace(/TRAN=/g, ',"tran":')
    .replace(/SERIAL=/g, ',"serial":')
    .replace(/LABEL=/g, ',"label":')
    .replace(/MODEL=/g, ',"model":')
    .replace(/OWNER=/g, ',"owner":')
    .replace(/GROUP=/g, ',"group":')
    .replace(/\n/g, '}\n');
}

interface LsblkPairs {
  name?: string;
  type?: string;
  fsType?: string;
  mountpoint?: string;
  size?: string;
  rota?: string;
  uuid?: string;
  label?: string;
  model?: string;
  serial?: string;
  rm?: string;
  tran?: string;
  group?: string;
}

/** systeminformation's `parseBlk` with `util.unique` and `util.sortByKey(…, ['type', 'name'])` (lib/filesystem.js, lib/util.js). */
function parseBlk(lines: readonly string[]): Array<Record<string, unknown>> {
  const data: Array<Record<string, unknown>> = [];
  for (let line of lines.filter((entry) => entry !== '')) {
    try {
      line = decodeURIComponent(line.replace(/\\x/g, '%'));
      line = line.replace(/\\/g, '\\\\');
      const disk = JSON.parse(line) as LsblkPairs;
      data.push({
        name: sanitizeShellString(disk.name),
        type: disk.type,
        fsType: disk.fsType,
        mount: disk.mountpoint,
        size: parseInt(String(disk.size), 10),
        physical:
          disk.type === 'disk' ? (disk.rota === '0' ? 'SSD' : 'HDD') : disk.type === 'rom' ? 'CD/DVD' : '',
        uuid: disk.uuid,
        label: disk.label,
        model: (disk.model || '').trim(),
        serial: disk.serial,
        removable: disk.rm === '1',
        protocol: disk.tran,
        group: disk.group || '',
      });
    } catch {
      // systeminformation skips a line it cannot parse
    }
  }
  const seen = new Set<string>();
  const unique = data.filter((entry) => {
    let key = '';
    for (const name of Object.keys(entry)) key += JSON.stringify(name) + JSON.stringify(entry[name]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => {
    const x = `${String(a['type'])}${String(a['name'])}`;
    const y = `${String(b['type'])}${String(b['name'])}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** systeminformation's `blockDevices()` on Linux, for the fields the fingerprint reads; undefined when unsure. */
export async function readBlockDevices(
  run: RunTool,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SourceResults['blockDevices'] | undefined> {
  let stdout: string;
  try {
    stdout = await run('lsblk', BLOCK_DEVICES_ARGS, env);
  } catch {
    return undefined; // systeminformation would try an older lsblk's columns
  }
  return parseBlk(blkStdoutToObject(stdout).split('\n')).map((device) => ({
    name: device['name'] as string,
    type: device['type'] as string,
    removable: device['removable'] as boolean,
    protocol: device['protocol'] as string,
    model: device['model'] as string,
    serial: device['serial'] as string,
    mount: device['mount'] as string,
  }));
}

interface LsblkJsonDevice {
  name?: unknown;
  type?: unknown;
  size?: unknown;
  model?: unknown;
  mountpoint?: unknown;
  label?: unknown;
  fstype?: unknown;
  parttype?: unknown;
  path?: unknown;
  'disc-max'?: unknown;
  serial?: unknown;
  tran?: unknown;
}

/** systeminformation's `diskLayout()` on Linux, for the fields the fingerprint reads; undefined when unsure. */
export async function readDiskLayout(
  run: RunTool,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SourceResults['diskLayout'] | undefined> {
  let out: string;
  try {
    out = (await run('lsblk', DISK_LAYOUT_ARGS, { ...env, LC_ALL: 'C' })).trim();
  } catch {
    return undefined;
  }
  let devices: LsblkJsonDevice[] = [];
  try {
    const json = JSON.parse(out) as { blockdevices?: LsblkJsonDevice[] } | null;
    if (json && Object.prototype.hasOwnProperty.call(json, 'blockdevices')) {
      devices = (json.blockdevices ?? []).filter(
        (item) =>
          item.type === 'disk' &&
          (item.size as number) > 0 &&
          (item.model !== null ||
            (item.mountpoint === null &&
              item.label === null &&
              item.fstype === null &&
              item.parttype === null &&
              Boolean(item.path) &&
              (item.path as string).indexOf('/ram') !== 0 &&
              (item.path as string).indexOf('/loop') !== 0 &&
              Boolean(item['disc-max']) &&
              item['disc-max'] !== 0)),
      );
    }
  } catch {
    return undefined; // systeminformation's fallback for an lsblk without JSON output
  }
  const result: SourceResults['diskLayout'] = [];
  // systeminformation builds its list in one try: a device it cannot read ends the list there.
  try {
    for (const device of devices) {
      const tran = device.tran as string | null | undefined;
      let interfaceType = tran ? tran.toUpperCase().trim() : '';
      if (interfaceType === 'NVME') interfaceType = 'PCIe';
      const serial = device.serial as string | null | undefined;
      result.push({
        device: `/dev/${sanitizeShellString(device.name, true)}`,
        name: (device.model as string | null) || '',
        serialNum: serial ? serial.trim() : '',
        interfaceType,
      });
    }
  } catch {
    // as systeminformation: the devices read so far
  }
  return result;
}
