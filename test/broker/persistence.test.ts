import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import { ConsumerOffsetManager, TopicConfigManager } from '../../src/broker';
import { withTempDir } from '../helpers/temp-dir';

function topicManager(dir: string, autoCreateTopicEnable = true): TopicConfigManager {
  return new TopicConfigManager({ storePathRootDir: dir, brokerClusterName: 'C', brokerName: 'b', defaultTopicQueueNums: 8, autoCreateTopicEnable });
}

test('topics: system topics, auto-creation from TBW102, Java layout on disk, reload, .bak fallback', async () => {
  await withTempDir('topics', async (dir) => {
    const topics = topicManager(dir);
    assert.equal(topics.get('TBW102')?.perm, 7);
    assert.ok(topics.get('SCHEDULE_TOPIC_XXXX'));
    const created = topics.getOrCreateForSend('Orders', 'TBW102', 4);
    assert.deepEqual(created && [created.readQueueNums, created.writeQueueNums, created.perm], [4, 4, 6]);
    assert.equal(topics.getOrCreateForSend('Big', 'TBW102', 100)?.writeQueueNums, 8, 'capped by the template');
    assert.equal(topics.getOrCreateForSend('X', 'NoTemplate', 4), undefined);
    assert.equal(topics.getOrCreateGroupTopic('%RETRY%G', 1, 6).writeQueueNums, 1);
    assert.throws(() => topics.update({ topicName: 'bad name', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false }), /contains characters/);

    const onDisk = JSON.parse(fs.readFileSync(topics.file, 'utf8')) as { topicConfigTable: Record<string, unknown>; dataVersion: { counter: number; timestamp: number } };
    assert.deepEqual(onDisk.topicConfigTable['Orders'], { topicName: 'Orders', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    assert.equal(onDisk.dataVersion.counter, 3);

    const reloaded = topicManager(dir);
    reloaded.load();
    assert.equal(reloaded.get('Orders')?.writeQueueNums, 4);
    assert.equal(reloaded.get('%RETRY%G')?.writeQueueNums, 1);
    assert.equal(reloaded.dataVersion.counter, 3);

    // A torn main file falls back to the previous version in .bak.
    fs.writeFileSync(topics.file, '{"topicConfigTable": {');
    const fromBackup = topicManager(dir);
    fromBackup.load();
    assert.equal(fromBackup.get('Big')?.writeQueueNums, 8, '.bak holds the version before the last write');
    assert.equal(fromBackup.get('%RETRY%G'), undefined);

    const noAuto = topicManager(dir, false);
    assert.equal(noAuto.get('TBW102'), undefined);
    assert.equal(noAuto.getOrCreateForSend('Other', 'TBW102', 4), undefined);
  });
});

test('offsets: periodic flush, shutdown flush, restart, Java unquoted keys, .bak fallback', async () => {
  await withTempDir('offsets', async (dir) => {
    const clock = new ManualClock(1000);
    const offsets = new ConsumerOffsetManager({ storePathRootDir: dir, flushIntervalMs: 5000, clock });
    offsets.start();
    offsets.commitOffset('G', 'T', 0, 12);
    offsets.commitOffset('G', 'T', 1, 7);
    assert.equal(fs.existsSync(offsets.file), false, 'nothing written before the flush interval');
    clock.advance(5000);
    // The periodic save runs off the event loop: not yet on disk when the tick returns.
    assert.equal(fs.existsSync(offsets.file), false, 'the periodic save does not write on the timer\'s turn');
    await offsets.whenSaved();
    assert.deepEqual(JSON.parse(fs.readFileSync(offsets.file, 'utf8')), { offsetTable: { 'T@G': { 0: 12, 1: 7 } } });
    offsets.commitOffset('G', 'T', 0, 13);
    await offsets.shutdown();
    assert.equal(clock.pendingTimers, 0);

    const reloaded = new ConsumerOffsetManager({ storePathRootDir: dir, flushIntervalMs: 5000, clock });
    reloaded.load();
    assert.equal(reloaded.queryOffset('G', 'T', 0), 13);
    assert.equal(reloaded.queryOffset('G', 'T', 1), 7);
    assert.equal(reloaded.queryOffset('G', 'T', 2), -1);
    assert.deepEqual(reloaded.groupsOfTopic('T'), ['G']);

    fs.writeFileSync(offsets.file, '{"offsetTable":{"T@G":{0:21,3:4},"%RETRY%G@G":{0:1}}}');
    const java = new ConsumerOffsetManager({ storePathRootDir: dir, flushIntervalMs: 5000, clock });
    java.load();
    assert.equal(java.queryOffset('G', 'T', 0), 21);
    assert.equal(java.queryOffset('G', '%RETRY%G', 0), 1);

    fs.writeFileSync(offsets.file, 'garbage');
    const fromBackup = new ConsumerOffsetManager({ storePathRootDir: dir, flushIntervalMs: 5000, clock });
    fromBackup.load();
    assert.equal(fromBackup.queryOffset('G', 'T', 0), 12, 'the .bak holds the previous flush');
  });
});
