import { PASSWORD_MIN_LENGTH } from '@stille-lijn/shared/rest';
import { describe, expect, it } from 'vitest';
import { passwordErrors } from './password.ts';

const good = 'mijn eigen lange wachtzin';

describe('passwordErrors', () => {
  it('lets a draft through that the server accepts', () => {
    expect(passwordErrors({ currentPassword: 'k7mq-xr4t', newPassword: good, repeat: good })).toEqual({});
    const shortest = 'x'.repeat(PASSWORD_MIN_LENGTH);
    expect(passwordErrors({ currentPassword: 'a', newPassword: shortest, repeat: shortest })).toEqual({});
  });

  it('names each field the server would refuse, and a repeat that differs', () => {
    expect(passwordErrors({ currentPassword: '', newPassword: good, repeat: good })).toEqual({
      currentPassword: 'required',
    });
    const short = 'x'.repeat(PASSWORD_MIN_LENGTH - 1);
    expect(passwordErrors({ currentPassword: 'a', newPassword: short, repeat: short })).toEqual({
      newPassword: 'length',
    });
    expect(passwordErrors({ currentPassword: good, newPassword: good, repeat: good })).toEqual({
      newPassword: 'same',
    });
    expect(passwordErrors({ currentPassword: 'a', newPassword: good, repeat: `${good} ` })).toEqual({
      repeat: 'mismatch',
    });
  });

  it('does not ask for a repeat of a new password that is refused anyway', () => {
    expect(passwordErrors({ currentPassword: 'a', newPassword: 'kort', repeat: '' })).toEqual({
      newPassword: 'length',
    });
  });
});
