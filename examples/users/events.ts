import { type Static, Type } from 'wharf';
import type { Queryable } from 'wharf/db';

/**
 * The events the users service publishes: its contract with every consumer. Published
 * through the transactional outbox, so an event exists exactly when its row does.
 */

/** Topic exchange the users service publishes to. */
export const USERS_EXCHANGE = 'users';

/** Routing key of the event published once a user was created. */
export const USER_CREATED = 'user.created';

export const UserCreated = Type.Object({
  id: Type.Integer({ description: 'Id of the new user.' }),
  city_id: Type.Union([Type.Integer(), Type.Null()], {
    description: "Id of the user's city in the cities service; null when unknown.",
  }),
  role_id: Type.Union([Type.Integer(), Type.Null()], {
    description: "Id of the user's role; null when none is assigned.",
  }),
});

export type UserCreated = Static<typeof UserCreated>;

/** Publish `user.created` within `tx`: the event goes out once, and only if `tx` commits. */
export type PublishUserCreated = (tx: Queryable, event: UserCreated) => Promise<unknown>;
