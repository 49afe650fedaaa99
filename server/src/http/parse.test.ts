import { describe, expect, it } from 'vitest';
import { validationFields } from './parse.ts';

describe('validationFields', () => {
  it('names failing fields as dotted paths, an unknown field by its own path, each once', () => {
    expect(
      validationFields([
        { instancePath: '/languages/1', keyword: 'invalid_value', params: {} },
        { instancePath: '/capacity', keyword: 'too_small', params: {} },
        { instancePath: '/capacity', keyword: 'invalid_type', params: {} },
        { instancePath: '/people', keyword: 'unrecognized_keys', params: { keys: ['extra', 'more'] } },
        { instancePath: '/', keyword: 'custom', params: {} },
      ]),
    ).toEqual(['languages.1', 'capacity', 'people.extra', 'people.more', '']);
  });
});
