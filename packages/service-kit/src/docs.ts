import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export interface DocsOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/**
 * OpenAPI at `/docs/json` and Swagger UI at `/docs`. Must be awaited before routes are added: swagger collects
 * routes as they are registered. Every operation needs the bearer scheme unless its route is public.
 */
export async function installDocs(app: FastifyInstance, options: DocsOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      if (input.route.config?.public !== true) return transformed;
      return { ...transformed, schema: { ...transformed.schema, security: [] } };
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
}
