// The planner: who gains and loses a rule's role from who qualifies and who holds it.
import { describe, expect, it } from 'vitest';
import { planRoleChanges } from '../../src/roles/plan';

describe('planRoleChanges', () => {
  it('gives a top rule’s role to new qualifiers and takes it from holders who no longer qualify', () => {
    expect(planRoleChanges({ kind: 'top_clippers_by_clips', qualifying: ['c', 'a'], holders: ['a', 'b'] })).toEqual({
      grant: ['c'],
      revoke: ['b'],
      keep: ['a'],
    });
  });

  it('never takes a milestone’s role back', () => {
    expect(planRoleChanges({ kind: 'views_milestone', qualifying: ['c'], holders: ['a', 'b'] })).toEqual({
      grant: ['c'],
      revoke: [],
      keep: ['a', 'b'],
    });
  });

  it('plans nothing when the holders are the qualifiers', () => {
    expect(planRoleChanges({ kind: 'top_sharers_by_reactions', qualifying: ['b', 'a', 'a'], holders: ['a', 'b'] })).toEqual({
      grant: [],
      revoke: [],
      keep: ['a', 'b'],
    });
  });

  it('takes every holder’s role back when nobody qualifies any more', () => {
    expect(planRoleChanges({ kind: 'top_sharers_by_shares', qualifying: [], holders: ['b', 'a'] })).toEqual({
      grant: [],
      revoke: ['a', 'b'],
      keep: [],
    });
  });
});
