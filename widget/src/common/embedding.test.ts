import { describe, expect, it } from 'vitest';
import { embeddingHost, type FrameContext } from './embedding.ts';

const host = 'https://www.example.nl';
const allowed = [host];

/** A frame's window: its own object, a different parent, the given address and ancestor list. */
function frame(search: string, ancestorOrigins?: string[]): FrameContext {
  return { parent: {}, location: { search, ...(ancestorOrigins ? { ancestorOrigins } : {}) } };
}
const query = `?embed=1&host=${encodeURIComponent(host)}`;

describe('embeddingHost', () => {
  it('trusts the claimed, allowed host when the ancestor list agrees', () => {
    expect(embeddingHost(allowed, frame(query, [host]))).toBe(host);
  });

  it('trusts it when the engine hides the ancestor (Firefox with no-referrer says "null")', () => {
    expect(embeddingHost(allowed, frame(query, ['null']))).toBe(host);
  });

  it('trusts it when the engine has no ancestor list at all', () => {
    expect(embeddingHost(allowed, frame(query))).toBe(host);
  });

  it('refuses a claim the ancestor list contradicts', () => {
    expect(embeddingHost(allowed, frame(query, ['https://evil.example']))).toBeUndefined();
  });

  it('refuses a host that is not allowed, or a missing embed flag or host', () => {
    expect(embeddingHost(allowed, frame('?embed=1&host=https%3A%2F%2Fevil.example'))).toBeUndefined();
    expect(embeddingHost(allowed, frame(`?host=${encodeURIComponent(host)}`))).toBeUndefined();
    expect(embeddingHost(allowed, frame('?embed=1'))).toBeUndefined();
  });

  it('is not embedded as a full page, whatever the address claims', () => {
    const win: FrameContext = { parent: undefined, location: { search: query } };
    win.parent = win;
    expect(embeddingHost(allowed, win)).toBeUndefined();
  });
});
