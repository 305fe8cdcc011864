import type { Queryable } from 'wharf/db';

/** A city's count of users; city 0 stands for "unknown". */
export type CityCount = {
  city_id: number;
  users: number;
};

export type Summary = {
  taken_at: Date;
  total_users: number;
  cities: Record<string, number>;
};

/** Stands for a user created without a city: the counts' key must not be null. */
export const UNKNOWN_CITY = 0;

export async function countUser(tx: Queryable, cityId: number | null): Promise<void> {
  await tx.execute`
    insert into city_user_counts (city_id, users) values (${cityId ?? UNKNOWN_CITY}, 1)
    on conflict (city_id) do update set users = city_user_counts.users + 1`;
}

export function cityCounts(db: Queryable): Promise<CityCount[]> {
  return db.fetch<CityCount>`select city_id, users from city_user_counts order by city_id`;
}

/** Record the counts as they are now, as the summary of `takenAt`; resolves to it. */
export async function writeSummary(tx: Queryable, takenAt: Date): Promise<Summary> {
  const counts = await cityCounts(tx);
  const cities = Object.fromEntries(counts.map((c) => [String(c.city_id), c.users]));
  const total = counts.reduce((sum, c) => sum + c.users, 0);
  await tx.execute`
    insert into user_summaries (taken_at, total_users, cities)
    values (${takenAt}, ${total}, ${cities}::jsonb)`;
  return { taken_at: takenAt, total_users: total, cities };
}

/** The latest summary as the API answers it (its time as ISO 8601), or null before the first. */
export async function latestSummary(
  db: Queryable,
): Promise<(Omit<Summary, 'taken_at'> & { taken_at: string }) | null> {
  const row = await db.fetchrow<Summary>`
    select taken_at, total_users, cities from user_summaries order by taken_at desc, id desc limit 1`;
  return row && { ...row, taken_at: row.taken_at.toISOString() };
}
