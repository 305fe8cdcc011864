import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../../src/db/migrate/split.js';

describe('splitStatements', () => {
  it('splits on semicolons and drops empty pieces and comment-only pieces', () => {
    const text = 'create table a (id int);\n\n-- just a note\n;create table b (id int)\n';
    expect(splitStatements(text)).toEqual(['create table a (id int)', 'create table b (id int)']);
  });

  it('keeps semicolons inside strings, quoted identifiers and comments', () => {
    const text = [
      "insert into t values ('a;b', 'it''s; fine', E'back\\'slash;');",
      'create table "odd;name" (id int); -- trailing; comment',
      '/* block; /* nested; */ still comment; */ select 1;',
    ].join('\n');
    expect(splitStatements(text)).toEqual([
      "insert into t values ('a;b', 'it''s; fine', E'back\\'slash;')",
      'create table "odd;name" (id int)',
      '-- trailing; comment\n/* block; /* nested; */ still comment; */ select 1',
    ]);
  });

  it('keeps dollar-quoted function bodies whole and leaves $1 alone', () => {
    const body = `create function f(x int) returns int language plpgsql as $fn$
begin
  return $1 + 1;
end;
$fn$`;
    expect(splitStatements(`${body};\nselect $$a;b$$;`)).toEqual([body, 'select $$a;b$$']);
  });
});
