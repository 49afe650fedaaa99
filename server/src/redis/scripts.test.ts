import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as audit from '../audit/scripts.ts';
import * as auth from '../auth/scripts.ts';
import * as conversations from '../conversations/scripts.ts';
import * as messages from '../messages/scripts.ts';
import * as metrics from '../metrics/scripts.ts';
import * as oncall from '../oncall/scripts.ts';
import * as operators from '../operators/scripts.ts';
import * as reports from '../reports/scripts.ts';
import * as routing from '../routing/scripts.ts';
import * as sockets from '../sockets/scripts.ts';
import { type LuaScript, readLua } from './scripts.ts';

type AnyScript = LuaScript<readonly string[], readonly string[], unknown>;
const isScript = (v: unknown): v is AnyScript =>
  typeof v === 'object' && v !== null && 'lua' in v && 'keys' in v && 'args' in v && 'file' in v;
const scripts = [
  audit,
  auth,
  conversations,
  messages,
  metrics,
  oncall,
  operators,
  reports,
  routing,
  sockets,
].flatMap((m) => Object.values(m).filter(isScript));
const src = fileURLToPath(new URL('..', import.meta.url));

function luaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : luaFiles(path);
    return name.endsWith('.lua') ? [path] : [];
  });
}

/** The names a header gives KEYS or ARGV, in order; a `[n..]` entry as `...name`. */
function headerSlots(lua: string, kind: 'KEYS' | 'ARGV'): string[] {
  const header = lua.slice(0, lua.indexOf(']]'));
  const out: string[] = [];
  for (const m of header.matchAll(new RegExp(`^\\s+${kind}\\[(\\d+)(\\.\\.)?\\]\\s+(\\w+)`, 'gm'))) {
    expect(Number(m[1]), `${kind}[${m[1]}] in order`).toBe(out.length + 1);
    out.push(m[2] ? `...${m[3]}` : m[3]!);
  }
  return out;
}

describe('Lua scripts', () => {
  it('are each declared once, one file per script, and every .lua file is used', () => {
    const declared = scripts.map((s) => fileURLToPath(s.file)).sort();
    expect(new Set(declared).size).toBe(declared.length);
    const onDisk = luaFiles(src).filter((f) => !f.includes(`${join('redis', 'lua')}`));
    expect(declared).toEqual(onDisk.sort());
    expect(new Set(scripts.map((s) => s.name)).size).toBe(scripts.length);
  });

  it.each(scripts.map((s) => [s.name, s] as const))(
    '%s: its header names KEYS and ARGV as its declaration does',
    (_, s) => {
      const raw = readLua(s.file, new Set(['all'])); // the file's own text, includes left out
      expect(raw.startsWith('--[[')).toBe(true);
      expect(headerSlots(raw, 'KEYS')).toEqual([...s.keys]);
      expect(headerSlots(raw, 'ARGV')).toEqual([...s.args]);
      expect(raw.slice(0, raw.indexOf(']]'))).toMatch(/Returns? /);
    },
  );

  it.each(scripts.map((s) => [s.name, s] as const))('%s: touches only the keys it is given', (_, s) => {
    const body = s.lua.slice(s.lua.indexOf(']]') + 2);
    // No key is built inside a script from a prefix or an id.
    expect(body).not.toMatch(/\.\.\s*'[^']*:[^']*'|'[^']*:[^']*'\s*\.\./);
    const fixedKeys = s.keys.filter((k) => !k.startsWith('...')).length;
    if (!s.keys.some((k) => k.startsWith('...'))) {
      for (const m of body.matchAll(/KEYS\[(\d+)\]/g)) expect(Number(m[1])).toBeLessThanOrEqual(fixedKeys);
    }
  });
});
