// Applies the enabled clipper role rules (docs/roles.md), after each aggregation run: for each rule, what planRule
// says, revokes first, then grants, through Discord with an audit-log reason naming the rule. Bounded: at most
// `changesPerRun` changes per run and `changesPerMinute` in any minute; what is left waits for the next run, which
// plans again, so a rerun with nothing new changes nothing.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { listEnabledRoleRules, recordRoleGranted, recordRoleRevoked, type RoleRule } from '../db/stores/roles';
import type { Logger } from '../logger';
import { planRule } from './qualify';
import { auditReason, describeRule } from './rules';
import type { RoleSender } from './sender';

const RULES_PER_PAGE = 100;
/** A run starts no more changes after this; the rest go next time. */
const RUN_DEADLINE_MS = 60_000;
const MINUTE_MS = 60_000;
/**
 * A member found to have left is not asked about again for this long (Clipscope has no members intent to hear them
 * rejoin): otherwise a milestone with many departed qualifiers would spend every run's budget on them.
 */
const LEFT_RECHECK_MS = 24 * 60 * MINUTE_MS;
/** Departed members remembered at most (the oldest forgotten first). */
const LEFT_REMEMBERED = 10_000;

type RuleKey = { guildId: string; roleId: string };
const FIRST: RuleKey = { guildId: '', roleId: '' };

function compareKeys(a: RuleKey, b: RuleKey): number {
  if (a.guildId !== b.guildId) return a.guildId < b.guildId ? -1 : 1;
  return a.roleId < b.roleId ? -1 : a.roleId > b.roleId ? 1 : 0;
}

export interface RolesJobDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  sender: RoleSender;
  changesPerRun: number;
  changesPerMinute: number;
}

export interface RolesRunSummary {
  rules: number;
  added: number;
  removed: number;
  /** Members who had left: skipped, or their grant dropped. */
  left: number;
  failed: number;
  /** Rules whose role Clipscope may not manage now. */
  blocked: number;
  /** Changes of the rule the limits cut short, left for the next run (which starts with that rule). */
  deferred: number;
}

export interface RolesRunner {
  runOnce(): Promise<RolesRunSummary>;
}

export function createRolesRunner(deps: RolesJobDeps): RolesRunner {
  const logger = deps.logger.child({ component: 'clipper-roles' });
  /** When the changes of the last minute were made (at most changesPerMinute kept). */
  const recent: number[] = [];
  /** `${guildId}:${userId}` of members found to have left → when to ask about them again (insertion order = age). */
  const leftUntil = new Map<string, number>();
  const hasLeft = (guildId: string, userId: string, now: number): boolean => {
    const key = `${guildId}:${userId}`;
    const until = leftUntil.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    leftUntil.delete(key);
    return false;
  };
  const noteLeft = (guildId: string, userId: string, now: number): void => {
    leftUntil.delete(`${guildId}:${userId}`);
    leftUntil.set(`${guildId}:${userId}`, now + LEFT_RECHECK_MS);
    if (leftUntil.size > LEFT_REMEMBERED) leftUntil.delete(leftUntil.keys().next().value as string);
  };
  const blocked = new Map<string, string>();
  const noteBlocked = (rule: RoleRule, reason: string | null): void => {
    const key = `${rule.guildId}:${rule.roleId}`;
    if ((blocked.get(key) ?? null) === reason) return;
    const where = { guildId: rule.guildId, roleId: rule.roleId };
    if (reason === null) {
      blocked.delete(key);
      logger.info(where, 'clipper roles: Clipscope may manage the role again');
    } else {
      blocked.set(key, reason);
      logger.warn({ ...where, reason }, 'clipper roles: the rule is not applied until Clipscope may manage the role');
    }
  };
  const mayChange = (summary: RolesRunSummary, now: number): boolean => {
    while (recent.length > 0 && (recent[0] as number) <= now - MINUTE_MS) recent.shift();
    return summary.added + summary.removed + summary.left + summary.failed < deps.changesPerRun && recent.length < deps.changesPerMinute;
  };

  /** Rules are taken in turn across runs: a run cut short by the limits resumes after the last rule it finished. */
  let resumeAfter: RuleKey | null = null;

  return {
    async runOnce() {
      const summary: RolesRunSummary = { rules: 0, added: 0, removed: 0, left: 0, failed: 0, blocked: 0, deferred: 0 };
      const deadline = deps.clock.now() + RUN_DEADLINE_MS;
      const start = resumeAfter;
      resumeAfter = null;
      // First the rules after where the last run stopped, then from the first up to there.
      const legs: { from: RuleKey; to: RuleKey | null }[] = start
        ? [
            { from: start, to: null },
            { from: FIRST, to: start },
          ]
        : [{ from: FIRST, to: null }];
      let finished: RuleKey = start ?? FIRST;
      let cutShort = false;
      for (const leg of legs) {
        let cursor = leg.from;
        let pastEnd = false;
        while (!cutShort && !pastEnd) {
          const page = await listEnabledRoleRules(deps.db, cursor, RULES_PER_PAGE);
          for (const rule of page) {
            if (leg.to !== null && compareKeys(rule, leg.to) > 0) {
              pastEnd = true;
              break;
            }
            cursor = { guildId: rule.guildId, roleId: rule.roleId };
            summary.rules += 1;
            const refusal = await deps.sender.checkRole(rule.guildId, rule.roleId);
            noteBlocked(rule, refusal);
            if (refusal !== null) {
              summary.blocked += 1;
            } else {
              try {
                if (!(await applyRule(rule))) {
                  cutShort = true;
                  break;
                }
              } catch (error) {
                logger.error(
                  { err: error, guildId: rule.guildId, roleId: rule.roleId },
                  'clipper roles: the rule failed; the next run tries again',
                );
              }
            }
            finished = cursor;
          }
          if (page.length < RULES_PER_PAGE) break;
        }
        if (cutShort) break;
      }
      if (cutShort) resumeAfter = compareKeys(finished, FIRST) === 0 ? null : finished;
      if (summary.added + summary.removed + summary.left + summary.failed + summary.deferred > 0)
        logger.info(summary, 'clipper roles applied');
      return summary;

      /** Applies the rule's plan; false when the limits cut it short (the rest is deferred to the next run). */
      async function applyRule(rule: RoleRule): Promise<boolean> {
        const { plan } = await planRule(deps.db, rule, deps.clock.now());
        const reason = auditReason(rule);
        const start = deps.clock.now();
        const changes = [
          ...plan.revoke.map((userId) => ({ userId, add: false })),
          ...plan.grant.filter((userId) => !hasLeft(rule.guildId, userId, start)).map((userId) => ({ userId, add: true })),
        ];
        for (const [i, change] of changes.entries()) {
          const now = deps.clock.now();
          if (now > deadline || !mayChange(summary, now)) {
            summary.deferred += changes.length - i;
            return false;
          }
          recent.push(now);
          const record = { guildId: rule.guildId, roleId: rule.roleId, userId: change.userId, reason: describeRule(rule), now };
          try {
            const outcome = change.add
              ? await deps.sender.addRole(rule.guildId, change.userId, rule.roleId, reason)
              : await deps.sender.removeRole(rule.guildId, change.userId, rule.roleId, reason);
            if (outcome === 'left') {
              // A member who left is skipped; one Clipscope held the role for is no longer held for.
              summary.left += 1;
              noteLeft(rule.guildId, change.userId, now);
              if (!change.add) await recordRoleRevoked(deps.db, record, 'left');
            } else if (change.add) {
              if (await recordRoleGranted(deps.db, record)) summary.added += 1;
            } else if (await recordRoleRevoked(deps.db, record, 'removed')) {
              summary.removed += 1;
            }
          } catch (error) {
            summary.failed += 1;
            logger.warn(
              { err: error, guildId: rule.guildId, roleId: rule.roleId, userId: change.userId },
              `clipper roles: could not ${change.add ? 'give' : 'take back'} the role; the next run tries again`,
            );
          }
        }
        return true;
      }
    },
  };
}

export function formatRolesSummary(s: RolesRunSummary): string {
  if (s.rules === 0) return 'no role rule enabled';
  const parts = [`${s.rules} rules`, `${s.added} given`, `${s.removed} taken back`];
  if (s.left > 0) parts.push(`${s.left} members had left`);
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  if (s.blocked > 0) parts.push(`${s.blocked} roles Clipscope cannot manage`);
  if (s.deferred > 0) parts.push(`${s.deferred} left for the next run (limits)`);
  return parts.join(', ');
}
