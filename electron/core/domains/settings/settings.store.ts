/**
 * Where non-secret settings live. Electron uses electron-store (electron/main); browser
 * mode, the CLI and tests use the JSON file below. Secrets never go here: passwords
 * and tokens stay in memory (docs/SECURITY.md §Console).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { ConsoleSettings } from '../../../../shared/common/contract/bridge.ts';

export interface SettingsStore {
  read(): ConsoleSettings;
  write(settings: ConsoleSettings): void;
}

export const defaultSettings: ConsoleSettings = Object.freeze({
  serverUrl: null,
  theme: 'system',
  strictHardware: false,
  autoLockMinutes: 15,
});

/** The stored form, validated on every read: a hand-edited or corrupt file falls back to defaults. */
export const storedSettingsSchema = z.object({
  serverUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .catch(null),
  theme: z.enum(['system', 'light', 'dark']).catch('system'),
  strictHardware: z.boolean().catch(false),
  autoLockMinutes: z.int().min(1).max(1440).catch(15),
});

/** Parses whatever a store holds into valid settings, defaulting field by field. */
export function normaliseSettings(raw: unknown): ConsoleSettings {
  const parsed = storedSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { ...defaultSettings };
}

/** Settings in one JSON file, written atomically (temp file, then rename). */
export class JsonSettingsStore implements SettingsStore {
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }

  read(): ConsoleSettings {
    try {
      return normaliseSettings(JSON.parse(readFileSync(this.#file, 'utf8')));
    } catch {
      return { ...defaultSettings };
    }
  }

  write(settings: ConsoleSettings): void {
    mkdirSync(dirname(this.#file), { recursive: true, mode: 0o700 });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.#file);
  }
}

/** Settings held in memory only (tests, throwaway sessions). */
export class MemorySettingsStore implements SettingsStore {
  #settings: ConsoleSettings;
  constructor(initial: Partial<ConsoleSettings> = {}) {
    this.#settings = { ...defaultSettings, ...initial };
  }
  read(): ConsoleSettings {
    return { ...this.#settings };
  }
  write(settings: ConsoleSettings): void {
    this.#settings = { ...settings };
  }
}
