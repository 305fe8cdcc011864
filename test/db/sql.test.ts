import { describe, expect, it } from 'vitest';
import { ident, SqlFragment, sql } from 'wharf/db';

describe('sql fragments', () => {
  it('binds every interpolated value as a numbered parameter', () => {
    const q = sql`select * from t where a = ${1} and b = ${"x'; drop table t; --"}`;
    expect(q.text).toBe('select * from t where a = $1 and b = $2');
    expect(q.values).toEqual([1, "x'; drop table t; --"]);
  });

  it('splices nested fragments and renumbers their parameters', () => {
    const where = sql`a = ${1} and ${sql`b = ${2}`}`;
    const q = sql`select ${ident('c')} from t where ${where} limit ${3}`;
    expect(q.text).toBe('select "c" from t where a = $1 and b = $2 limit $3');
    expect(q.values).toEqual([1, 2, 3]);
  });

  it('quotes identifiers and doubles quotes inside them', () => {
    expect(ident('users').text).toBe('"users"');
    expect(ident('public', 'Users').text).toBe('"public"."Users"');
    expect(ident('we"ird').text).toBe('"we""ird"');
    expect(ident('x').values).toEqual([]);
  });

  it('refuses empty identifiers', () => {
    expect(() => ident('')).toThrow(TypeError);
    expect(() => ident()).toThrow(TypeError);
    expect(() => ident('a\0b')).toThrow(TypeError);
  });

  it('joins values as parameters and fragments as text', () => {
    expect(sql`in (${sql.join([1, 2, 3])})`.text).toBe('in ($1, $2, $3)');
    const cols = sql.join([ident('a'), ident('b')]);
    expect(cols.text).toBe('"a", "b"');
    const and = sql.join([sql`a = ${1}`, sql`b = ${2}`], sql` and `);
    expect(and.text).toBe('a = $1 and b = $2');
    expect(and.values).toEqual([1, 2]);
    expect(sql.join([]).text).toBe('');
  });

  it('treats strings that look like fragments as plain values', () => {
    const fake = { text: 'drop table t', values: [], parts: ['drop table t'] };
    const q = sql`select ${fake}`;
    expect(q.text).toBe('select $1');
    expect(q.values).toEqual([fake]);
    expect(q).toBeInstanceOf(SqlFragment);
  });
});
