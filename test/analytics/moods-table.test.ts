import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMood, moodKey, moodKeyLabel, moodMapping, moodSignature } from '../../src/analytics/moods-table';

describe('the default mood table', () => {
  it('maps common unicode emoji, ignoring skin tones and the emoji variation selector', () => {
    expect(defaultMood('😂')).toBe('funny');
    expect(defaultMood('🔥')).toBe('hype');
    expect(defaultMood('❤️')).toBe('love');
    expect(defaultMood('❤')).toBe('love');
    expect(defaultMood('👎🏽')).toBe('negative');
    expect(defaultMood('😮')).toBe('wow');
    expect(defaultMood('😢')).toBe('sad');
    expect(defaultMood('🦆')).toBe('other');
  });

  it('matches Twitch-culture custom emoji by name, whatever their case, id or copy suffix', () => {
    for (const name of ['KEKW:111111111111111111', 'LUL:222222222222222222', 'OMEGALUL:3333333333', 'LULW:44444444444']) {
      expect(defaultMood(name)).toBe('funny');
    }
    for (const name of ['Pog:123456789012', 'PogChamp:123456789012', 'POGGERS:123456789012', 'PogU:123456789012']) {
      expect(defaultMood(name)).toBe('hype');
    }
    expect(defaultMood('kekw_2:123456789012')).toBe('funny');
    expect(defaultMood('<a:Sadge:123456789012>')).toBe('sad');
    expect(defaultMood('BibleThump')).toBe('sad');
    expect(defaultMood('ResidentSleeper:99999999999')).toBe('negative');
    expect(defaultMood('SomeServerEmote:99999999999')).toBe('other');
  });

  it('keys an override the same for a stored reaction, message syntax and a bare name', () => {
    expect(moodKey('<:KEKW:123456789012>')).toBe('name:kekw');
    expect(moodKey(':KEKW:')).toBe('name:kekw');
    expect(moodKey('kekw:98765432101')).toBe('name:kekw');
    expect(moodKey('😂')).toBe('emoji:😂');
    expect(moodKeyLabel('name:kekw')).toBe(':kekw:');
    expect(moodKeyLabel('emoji:😂')).toBe('😂');
  });
});

describe('a guild mapping', () => {
  it('lets an override win over the default and changes the signature', () => {
    const plain = moodMapping([]);
    const custom = moodMapping([{ emoji: 'name:kekw', mood: 'negative' }]);
    expect(plain.moodOf('KEKW:123456789012')).toBe('funny');
    expect(custom.moodOf('KEKW:123456789012')).toBe('negative');
    expect(custom.moodOf('😂')).toBe('funny');
    expect(custom.signature).not.toBe(plain.signature);
    expect(
      moodSignature([
        { emoji: 'emoji:😂', mood: 'sad' },
        { emoji: 'name:kekw', mood: 'love' },
      ]),
    ).toBe(
      moodSignature([
        { emoji: 'name:kekw', mood: 'love' },
        { emoji: 'emoji:😂', mood: 'sad' },
      ]),
    );
  });
});

describe('docs/moods.md', () => {
  it('lists exactly what the default table says', () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/moods.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => /^\| (hype|funny|love|wow|sad|negative) \|/.test(line));
    expect(rows).toHaveLength(6);
    let listed = 0;
    for (const row of rows) {
      const [, mood, unicode, names] = row.split('|').map((cell) => cell.trim()) as [string, string, string, string];
      for (const emoji of unicode.split(' ')) expect(defaultMood(emoji), emoji).toBe(mood);
      for (const name of names.split(', ').map((n) => n.replaceAll('`', ''))) expect(defaultMood(`${name}:1`), name).toBe(mood);
      listed += unicode.split(' ').length + names.split(', ').length;
    }
    expect(listed).toBeGreaterThan(100);
  });
});
