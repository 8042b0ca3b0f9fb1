// Guilds spread over a sharded fake gateway, with ids as Discord makes them (a creation time in the top bits), and a
// clip link posted in one of them: shared by the sharding tests of the client and of `npm start`.
import { member, message, shardOfGuild, snowflake, textChannel, user, type FakeGuild } from '../fakes/discord';

export const alice = user({ username: 'alice' });

/** `perShard` guilds on every one of `shards` shards, each with a #clips channel and alice as a member. */
export function guildsOnEveryShard(shards: number, perShard: number, namePrefix = 'Shard'): FakeGuild[] {
  const guilds: FakeGuild[] = [];
  const counts = new Map<number, number>();
  // A prime step walks the snowflakes' shard bits evenly; the loop ends as soon as every shard is full.
  for (let at = Date.now() - 10_000_000; guilds.length < shards * perShard; at += 7_919) {
    const id = snowflake(at);
    const shard = shardOfGuild(id, shards);
    const count = counts.get(shard) ?? 0;
    if (count >= perShard) continue;
    counts.set(shard, count + 1);
    guilds.push({
      id,
      name: perShard === 1 ? `${namePrefix} ${shard}` : `${namePrefix} ${shard} town ${count + 1}`,
      channels: [textChannel({ guild_id: id, name: 'clips' })],
      members: [member(alice)],
    });
  }
  return guilds;
}

/** alice posting `clipUrl` in the guild's #clips channel. */
export const clipMessage = (guild: FakeGuild, clipUrl: string) =>
  message({
    channel_id: guild.channels![0]!.id,
    guild_id: guild.id,
    author: alice,
    member: member(alice),
    content: clipUrl,
  });
