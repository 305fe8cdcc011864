import { Type } from 'wharf';

export const CityCount = Type.Object({
  city_id: Type.Integer({ description: 'Id of the city; 0 counts users whose city is unknown.' }),
  users: Type.Integer({ description: 'Users created with this city so far.' }),
});

export const CityCounts = Type.Array(CityCount);

export const Summary = Type.Union(
  [
    Type.Object({
      taken_at: Type.String({ format: 'date-time', description: 'The minute it was taken for.' }),
      total_users: Type.Integer({ description: 'Users counted over every city.' }),
      cities: Type.Record(Type.String(), Type.Integer(), {
        description: 'Users per city id at that time.',
      }),
    }),
    Type.Null(),
  ],
  { description: 'The latest summary; null before the first one was taken.' },
);
