import { createService, group, route, ServiceError, Type } from 'wharf';

const Money = Type.Object(
  {
    amount: Type.Integer({ format: 'int64', description: 'Amount in minor units (cents).' }),
    currency: Type.Union([Type.Literal('EUR'), Type.Literal('USD')], {
      description: 'ISO 4217 code.',
    }),
  },
  { description: 'An amount of money.' },
);

const Order = Type.Object({
  id: Type.Integer({ format: 'int32', minimum: 1, description: 'Order number.' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('shipped')]),
  total: Money,
  lines: Type.Array(
    Type.Object({
      sku: Type.String({ description: 'Stock keeping unit.' }),
      quantity: Type.Integer({ minimum: 1 }),
    }),
    { description: 'What was ordered.' },
  ),
  note: Type.Optional(Type.String({ description: 'Free text from the customer.' })),
  coupon: Type.Union([Type.String(), Type.Null()], { description: 'Coupon code, if any.' }),
});

const NewOrder = Type.Object({
  lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer({ minimum: 1 }) }), {
    minItems: 1,
  }),
  note: Type.Optional(Type.String({ description: 'Free text from the customer.' })),
  shipping: Type.Object({
    street: Type.String(),
    city: Type.String({ description: 'City name.' }),
    country: Type.String({ minLength: 2, maxLength: 2 }),
  }),
});

/** A service whose routes use every schema feature the spec must carry. */
export function ordersService(config: { openapi?: { enabled?: boolean } } = {}) {
  return createService({
    name: 'orders',
    version: '2.3.4',
    config: { log: { level: 'silent' }, ...config },
    routes: [
      group({ prefix: '/orders', tags: ['orders'] }, [
        route({
          method: 'GET',
          url: '/:id',
          name: 'getOrder',
          summary: 'Fetch one order',
          description: 'Answers 404 ORDER_NOT_FOUND for an unknown id.',
          params: Type.Object({
            id: Type.Integer({ format: 'int32', description: 'Order number.' }),
          }),
          query: Type.Object({
            expand: Type.Optional(
              Type.Union([Type.Literal('lines'), Type.Literal('total')], {
                description: 'Part to expand.',
              }),
            ),
          }),
          headers: Type.Object({
            'x-tenant': Type.String({ description: 'Tenant the order belongs to.' }),
          }),
          response: Order,
          handler: ({ params }) => {
            if (params.id === 404) {
              throw new ServiceError({ status: 404, code: 'ORDER_NOT_FOUND', message: 'No order' });
            }
            return {
              id: params.id,
              status: 'open' as const,
              total: { amount: 1250, currency: 'EUR' as const },
              lines: [{ sku: 'A-1', quantity: 2 }],
              coupon: null,
            };
          },
        }),
        route({
          method: 'POST',
          url: '/',
          name: 'createOrder',
          summary: 'Place an order',
          tags: ['checkout'],
          status: 201,
          body: NewOrder,
          response: Order,
          handler: ({ body }) => ({
            id: 7,
            status: 'open' as const,
            total: { amount: 0, currency: 'USD' as const },
            lines: body.lines,
            coupon: null,
          }),
        }),
        route({
          method: 'GET',
          url: '/',
          name: 'listOrders',
          summary: 'List orders',
          query: Type.Object({
            status: Type.Optional(
              Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('shipped')]),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          }),
          response: Type.Object({ items: Type.Array(Order), next: Type.Optional(Type.String()) }),
          handler: () => ({ items: [] }),
        }),
        route({
          method: 'GET',
          url: '/export.csv',
          name: 'exportOrders',
          summary: 'All orders as CSV',
          raw: true,
          handler: (_request, reply) => reply.type('text/csv').send('id,status\n'),
        }),
        route({
          method: 'GET',
          url: '/count',
          name: 'countOrders',
          raw: true,
          response: Type.Integer({ description: 'Number of orders.' }),
          handler: () => 3,
        }),
      ]),
      route({
        method: 'GET',
        url: '/ping',
        name: 'ping',
        summary: 'No input at all',
        handler: () => 'pong',
      }),
      route({
        method: 'POST',
        url: '/internal/reindex',
        name: 'reindex',
        hidden: true,
        handler: () => null,
      }),
    ],
  });
}
