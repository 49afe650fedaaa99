import {
  type Account,
  type AccountChange,
  accountCreatedResponseSchema,
  accountResponseSchema,
  accountsResponseSchema,
  type NewAccount,
  passwordResponseSchema,
} from '@stille-lijn/shared/rest';
import { type ApiResult, apiRequest, mapResult, pathId } from './rest.ts';

export type { Account, AccountChange, NewAccount };

/** `GET /api/admin/operators`. */
export async function fetchAccounts(): Promise<ApiResult<Account[]>> {
  const res = await apiRequest('/api/admin/operators', { schema: accountsResponseSchema });
  return mapResult(res, (b) => b.operators);
}

/** `POST /api/admin/operators`: the account and its one-time password, which is never shown again. */
export async function createAccount(
  body: NewAccount,
): Promise<ApiResult<{ account: Account; password: string }>> {
  const res = await apiRequest('/api/admin/operators', {
    method: 'POST',
    body,
    schema: accountCreatedResponseSchema,
  });
  return mapResult(res, (b) => ({ account: b.operator, password: b.password }));
}

/** `PATCH /api/admin/operators/:id`. */
export async function updateAccount(id: string, change: AccountChange): Promise<ApiResult<Account>> {
  const res = await apiRequest(`/api/admin/operators/${pathId(id)}`, {
    method: 'PATCH',
    body: change,
    schema: accountResponseSchema,
  });
  return mapResult(res, (b) => b.operator);
}

/** `POST /api/admin/operators/:id/disable` or `/enable`; disabling cuts the account's live sessions. */
export async function setAccountDisabled(id: string, disabled: boolean): Promise<ApiResult<Account>> {
  const res = await apiRequest(`/api/admin/operators/${pathId(id)}/${disabled ? 'disable' : 'enable'}`, {
    method: 'POST',
    schema: accountResponseSchema,
  });
  return mapResult(res, (b) => b.operator);
}

/** `POST /api/admin/operators/:id/reset-password`: a new one-time password; ends the account's sessions. */
export async function resetAccountPassword(id: string): Promise<ApiResult<string>> {
  const res = await apiRequest(`/api/admin/operators/${pathId(id)}/reset-password`, {
    method: 'POST',
    schema: passwordResponseSchema,
  });
  return mapResult(res, (b) => b.password);
}
