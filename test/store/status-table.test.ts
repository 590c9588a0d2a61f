import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GET_STATUSES, PUT_STATUSES } from '../../src/store';
import { checkConstants, loadAddon } from '../../src/store/native/binding';
import type { NativeConstants } from '../../src/store/native/native-types';
import { NATIVE_PUT_STATUSES } from '../../src/store/store-status';

test('the status table translates every native status, and every GetStatus exists natively', () => {
  const { addon, statusTable } = loadAddon();
  const { putStatus, getStatus } = addon.constants;
  for (const [name, code] of Object.entries(putStatus)) assert.equal(statusTable.putStatus(code), name);
  for (const [name, code] of Object.entries(getStatus)) assert.equal(statusTable.getStatus(code), name);
  assert.deepEqual(Object.keys(getStatus).sort(), [...GET_STATUSES].sort());
  for (const name of Object.keys(putStatus)) assert.ok((PUT_STATUSES as readonly string[]).includes(name), name);
  for (const name of NATIVE_PUT_STATUSES) assert.ok(name in putStatus, `native lacks ${name}`);
  assert.throws(() => statusTable.putStatus(999), { code: 'ERR_STORE_UNKNOWN_STATUS' });
});

test('a mismatched addon (record layout, config slots, statuses) is refused with ERR_ADDON_MISMATCH', () => {
  const { addon } = loadAddon();
  const real = addon.constants;
  const variants: Array<[string, NativeConstants]> = [
    ['unknown slot', { ...real, configSlots: { ...real.configSlots, madeUpSlot: real.configSlotCount } , configSlotCount: real.configSlotCount + 1 }],
    ['missing slot', { ...real, configSlots: Object.fromEntries(Object.entries(real.configSlots).filter(([k]) => k !== 'maxMessageSize')) }],
    ['record value', { ...real, record: { ...real.record, OFFSET_SYSFLAG: 40 } }],
    ['unknown record name', { ...real, record: { ...real.record, OFFSET_SOMETHING: 1 } }],
    ['missing record name', { ...real, record: Object.fromEntries(Object.entries(real.record).filter(([k]) => k !== 'OFFSET_BORNHOST')) }],
    ['unknown status', { ...real, putStatus: { ...real.putStatus, EXPLODED: 77 } }],
    ['missing get status', { ...real, getStatus: Object.fromEntries(Object.entries(real.getStatus).filter(([k]) => k !== 'FOUND')) }],
  ];
  assert.doesNotThrow(() => checkConstants(real, 'real'));
  for (const [what, constants] of variants) {
    assert.throws(() => checkConstants(constants, 'doctored'), { code: 'ERR_ADDON_MISMATCH' }, what);
  }
});
