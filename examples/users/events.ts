import { Type } from 'wharf';

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
