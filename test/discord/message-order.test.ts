// Per-message ordering: events about one message run in arrival order, even when one waits for a fetch.
import { describe, expect, it } from 'vitest';
import { MessageOrder } from '../../src/discord/message-order';

describe('message order', () => {
  it('runs a synchronous task at once when nothing is pending for its message', () => {
    const order = new MessageOrder();
    const ran: string[] = [];
    expect(order.runSync(['m1'], () => void ran.push('create m1'))).toBeUndefined();
    expect(ran).toEqual(['create m1']);
    expect(order.size).toBe(0);
  });

  it('runs a synchronous task after a pending one for the same message, and others at once', async () => {
    const order = new MessageOrder();
    const ran: string[] = [];
    let finishFetch!: () => void;
    const fetched = new Promise<void>((resolve) => (finishFetch = resolve));
    void order.run(['m1'], async () => {
      await fetched;
      ran.push('edit m1 (after its fetch)');
    });
    const later = order.runSync(['m1'], () => void ran.push('reaction m1'));
    order.runSync(['m2'], () => void ran.push('reaction m2'));
    expect(later).toBeInstanceOf(Promise);
    expect(ran).toEqual(['reaction m2']);
    finishFetch();
    await order.idle();
    expect(ran).toEqual(['reaction m2', 'edit m1 (after its fetch)', 'reaction m1']);
  });

  it('waits for every message of a bulk task', async () => {
    const order = new MessageOrder();
    const ran: string[] = [];
    void order.run(['m2'], async () => {
      await Promise.resolve();
      ran.push('m2 first');
    });
    await order.runSync(['m1', 'm2'], () => void ran.push('bulk delete'));
    expect(ran).toEqual(['m2 first', 'bulk delete']);
  });
});
