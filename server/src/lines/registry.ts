import { readFileSync } from 'node:fs';
import {
  DEFAULT_LINE_ID,
  defaultLine,
  isOpen,
  type Line,
  overflowChain,
  parseLines,
} from '@stille-lijn/shared/domain/lines';
import { ConfigError } from '../config.ts';

/** An account's lines as stored: absent for accounts made before lines, `['*']` for all. */
export type AccountLines = readonly string[] | undefined;

/**
 * The deployment's lines, read once at boot (PROTOCOL.md, "Lines"). Pure: every answer
 * follows from the file and the clock passed in, so that routing, access checks and the
 * widget agree, and tests can move the clock.
 */
export class LineRegistry {
  readonly all: readonly Line[];
  /** Where `chat:start` without `line` goes, and the line of accounts without lines. */
  readonly first: Line;
  readonly #byId: ReadonlyMap<string, Line>;

  constructor(lines: readonly Line[]) {
    const first = lines[0];
    if (!first) throw new Error('a deployment needs at least one line');
    this.all = lines;
    this.first = first;
    this.#byId = new Map(lines.map((l) => [l.id, l]));
  }

  /** Whether this deployment was configured with `LINES_FILE` (more than the one default line). */
  get configured(): boolean {
    return this.all.length > 1 || this.first.id !== DEFAULT_LINE_ID;
  }

  get(id: string): Line | undefined {
    return this.#byId.get(id);
  }

  /**
   * The line of a conversation record: its stored `line`, or the first line for records
   * written before lines existed. A line since removed from the file is still returned by
   * id (its conversations finish), so callers compare ids, never look it up blindly.
   */
  lineOf(stored: string | undefined): string {
    return stored && stored.length > 0 ? stored : this.first.id;
  }

  /**
   * The line a `chat:start` asks for: the first line when absent; `undefined` for an id this
   * deployment does not have (→ `unknown_line`).
   */
  resolve(requested: string | undefined): Line | undefined {
    return requested === undefined ? this.first : this.#byId.get(requested);
  }

  /** The ids of an account's lines: every line for `'*'`, the first line when unset. */
  accountLines(lines: AccountLines): ReadonlySet<string> {
    if (!lines || lines.length === 0) return new Set([this.first.id]);
    if (lines.includes('*')) return new Set(this.#byId.keys());
    return new Set(lines.filter((id) => this.#byId.has(id)));
  }

  /** Ids in `lines` that are not lines of this deployment (`'*'` is fine). */
  unknownIds(lines: readonly string[]): string[] {
    return lines.filter((id) => id !== '*' && !this.#byId.has(id));
  }

  /** Whether the line takes conversations at `at` by its own hours (a removed line never). */
  isOpen(id: string, at: Date): boolean {
    const line = this.#byId.get(id);
    return line !== undefined && isOpen(line.hours, at);
  }

  /** The overflow lines of `id`, nearest first, each once. */
  chain(id: string): string[] {
    return overflowChain(this.#byId, id);
  }

  /**
   * Whether a new conversation on `id` can be taken by anyone now: its line is open, or a
   * line along its overflow chain is. Otherwise `chat:start` answers `unavailable`
   * (reason `line_closed`).
   */
  accepts(id: string, at: Date): boolean {
    if (!this.#byId.has(id)) return false;
    return this.isOpen(id, at) || this.chain(id).some((l) => this.isOpen(l, at));
  }

  /**
   * The lines whose operators may take a waiting conversation of `lineId` that has waited
   * since `waitingSince` (ms), at `now` (ms): its own line, then each overflow line in turn
   * once the line before it is closed or the conversation has waited that line's
   * `overflowAfterS` beyond the previous step. A line without `overflowAfterS` passes its
   * conversations on only while it is closed.
   * @example registry.routableTo('utrecht', Date.now() - 200_000, Date.now()) // ['utrecht', 'night']
   */
  routableTo(lineId: string, waitingSince: number, now: number): string[] {
    const out = [lineId];
    const at = new Date(now);
    const waited = (now - waitingSince) / 1000;
    let threshold = 0;
    let from = this.#byId.get(lineId);
    if (!from) return out;
    for (const next of this.chain(lineId)) {
      const closed = !isOpen(from.hours, at);
      if (!closed) {
        if (from.overflowAfterS === undefined) break;
        threshold += from.overflowAfterS;
        if (waited < threshold) break;
      }
      out.push(next);
      from = this.#byId.get(next);
      if (!from) break;
    }
    return out;
  }

  /**
   * Whether an account of `lines` may see and touch a conversation, as far as lines go
   * (the holder rule comes on top): its line is one of theirs; or an operator of one of
   * their lines took it through overflow (`servedLine`, stored on assignment when the
   * operator's lines do not hold the conversation's line); or it is waiting and has
   * overflowed to one of their lines by now. Everything else is answered exactly as a
   * stranger's conversation is (`forbidden` / 403, same reason).
   */
  mayAccess(
    lines: ReadonlySet<string>,
    conv: { line?: string | undefined; servedLine?: string | undefined; state: string; waitingSince: number },
    now: number,
  ): boolean {
    const line = this.lineOf(conv.line);
    if (lines.has(line)) return true;
    if (conv.servedLine !== undefined && lines.has(conv.servedLine)) return true;
    if (conv.state !== 'waiting') return false;
    return this.routableTo(line, conv.waitingSince, now).some((l) => lines.has(l));
  }

  /**
   * The lines that may overflow into any of `lines` (transitively), including them: the
   * lines whose waiting sets a routing pass for an operator of `lines` must read.
   */
  feeding(lines: ReadonlySet<string>): string[] {
    return this.all
      .filter((l) => lines.has(l.id) || this.chain(l.id).some((c) => lines.has(c)))
      .map((l) => l.id);
  }
}

/**
 * Reads `LINES_FILE` at boot: one `default` line (open 24/7, every language, today's
 * `EMBED_ORIGINS`) without it.
 * @throws {ConfigError} with one line per problem.
 */
export function loadLines(config: {
  linesFile: string | undefined;
  embedOrigins: readonly string[];
}): LineRegistry {
  if (!config.linesFile) return new LineRegistry([defaultLine(config.embedOrigins)]);
  let text: string;
  try {
    text = readFileSync(config.linesFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`LINES_FILE: cannot read ${config.linesFile} (${code})`]);
  }
  const { lines, problems } = parseLines(text);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `LINES_FILE: ${p}`));
  return new LineRegistry(lines);
}
