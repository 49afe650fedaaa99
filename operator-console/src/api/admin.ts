import { type Language, languageSchema, type OperatorRole, operatorRoleSchema } from '@stille-lijn/shared';
import { z } from 'zod';
import { type ApiResult, apiRequest, pathId } from './rest.ts';

/** An operator account as administrators see it: never a password or a TOTP secret. */
export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: OperatorRole;
  languages: Language[];
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
}

const accountSchema = z.object({
  id: z.string().min(1),
  username: z.string(),
  displayName: z.string(),
  role: operatorRoleSchema,
  // A language this console does not know is left out rather than refusing the account.
  languages: z
    .array(z.string())
    .transform((l) => l.filter((x): x is Language => languageSchema.safeParse(x).success)),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
});

const accountFrom = (v: unknown): Account | undefined => {
  const r = accountSchema.safeParse(v);
  return r.success ? r.data : undefined;
};
const operatorOf = (body: unknown) => accountFrom((body as { operator?: unknown } | undefined)?.operator);
const passwordOf = (body: unknown) => {
  const p = (body as { password?: unknown } | undefined)?.password;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
};

/** `GET /api/admin/operators`. */
export function fetchAccounts(): Promise<ApiResult<Account[]>> {
  return apiRequest('/api/admin/operators', {
    pick: (body) => {
      const list = (body as { operators?: unknown } | undefined)?.operators;
      if (!Array.isArray(list)) return undefined;
      return list.flatMap((a) => {
        const account = accountFrom(a);
        return account ? [account] : [];
      });
    },
  });
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: OperatorRole;
  languages: Language[];
}

/** `POST /api/admin/operators`: the account and its one-time password, which is never shown again. */
export function createAccount(body: NewAccount): Promise<ApiResult<{ account: Account; password: string }>> {
  return apiRequest('/api/admin/operators', {
    method: 'POST',
    body,
    pick: (b) => {
      const account = operatorOf(b);
      const password = passwordOf(b);
      return account && password ? { account, password } : undefined;
    },
  });
}

export type AccountChange = Partial<Pick<Account, 'displayName' | 'role' | 'languages'>>;

/** `PATCH /api/admin/operators/:id`. */
export function updateAccount(id: string, change: AccountChange): Promise<ApiResult<Account>> {
  return apiRequest(`/api/admin/operators/${pathId(id)}`, {
    method: 'PATCH',
    body: change,
    pick: operatorOf,
  });
}

/** `POST /api/admin/operators/:id/disable` or `/enable`; disabling cuts the account's live sessions. */
export function setAccountDisabled(id: string, disabled: boolean): Promise<ApiResult<Account>> {
  return apiRequest(`/api/admin/operators/${pathId(id)}/${disabled ? 'disable' : 'enable'}`, {
    method: 'POST',
    pick: operatorOf,
  });
}

/** `POST /api/admin/operators/:id/reset-password`: a new one-time password; ends the account's sessions. */
export function resetAccountPassword(id: string): Promise<ApiResult<string>> {
  return apiRequest(`/api/admin/operators/${pathId(id)}/reset-password`, {
    method: 'POST',
    pick: passwordOf,
  });
}
