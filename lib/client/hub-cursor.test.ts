import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hubTopicStep, resumeFields } from './hub-cursor';

// When a hub subscriber fetches its state again, and where it resumes from.

const topic = 'project:p1:files';
const at = { epoch: 'e1', seq: 7 };

describe('hubTopicStep', () => {
  it('a first subscription fetches the state and keeps where the topic stands', () => {
    assert.deepEqual(hubTopicStep(null, null, { type: 'subscribed', topic, epoch: 'e1', seq: 7 }), { cursor: at, live: true, sync: true });
  });

  it('a subscription that answers our cursor is a resume: no fetch, the missed events follow', () => {
    assert.deepEqual(hubTopicStep(at, at, { type: 'subscribed', topic, epoch: 'e1', seq: 7 }), { cursor: at, live: true, sync: false });
    const next = hubTopicStep(at, at, { type: 'event', topic, epoch: 'e1', seq: 8, data: {} });
    assert.deepEqual(next, { cursor: { epoch: 'e1', seq: 8 }, live: true, sync: false });
  });

  it('resync fetches again and resumes from the cursor it names', () => {
    assert.deepEqual(hubTopicStep(at, at, { type: 'resync', topic, epoch: 'e2', seq: 3 }), { cursor: { epoch: 'e2', seq: 3 }, live: true, sync: true });
  });

  it('a jump in seq or another epoch is a gap: the event counts, and the state is fetched again', () => {
    assert.equal(hubTopicStep(at, null, { type: 'event', topic, epoch: 'e1', seq: 9, data: {} }).sync, true);
    assert.equal(hubTopicStep(at, null, { type: 'event', topic, epoch: 'e2', seq: 8, data: {} }).sync, true);
  });

  it('a refusal changes nothing and is not live', () => {
    assert.deepEqual(hubTopicStep(at, at, { type: 'error', topic, code: 1013 }), { cursor: at, live: false, sync: false });
  });

  it('a subscribe names the cursor as epoch and afterSeq, or nothing at first', () => {
    assert.deepEqual(resumeFields(at), { epoch: 'e1', afterSeq: 7 });
    assert.deepEqual(resumeFields(null), {});
  });
});
