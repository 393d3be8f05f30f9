import { createServer } from 'node:net';

/**
 * The fallback of `@onestop/testing` for a machine with a Docker engine and no running services: PostgreSQL and
 * Kafka in throw-away containers (testcontainers 11.x; 12 needs Node 22). The development and CI machines have no
 * Docker engine, so this path never runs there: it is kept to two containers and the two topics, and the image tags
 * are checked against docker-compose.yml by a unit test. Started once per test run by `globalSetup.ts`.
 */
export const containerImages = {
  postgres: 'postgres:16.10-bookworm',
  kafka: 'apache/kafka:4.4.0',
} as const;

const topic = 'onestop.dossier-events.v1';

export type ServiceVariable = 'DATABASE_URL' | 'KAFKA_BROKERS';

/** The variables a test run still needs a service for (unset or blank). */
export function missingServices(env: Readonly<Record<string, string | undefined>>): ServiceVariable[] {
  return (['DATABASE_URL', 'KAFKA_BROKERS'] as const).filter((name) => !env[name]);
}

/** True when testcontainers finds a Docker (or compatible) engine. Loaded lazily: most runs never need it. */
export async function dockerEngineReachable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export interface StartedServices {
  /** The variables to give the test workers, e.g. `{ DATABASE_URL: 'postgres://…' }`. */
  readonly env: Partial<Record<ServiceVariable, string>>;
  stop(): Promise<void>;
}

/** Starts a container for each missing variable, as the local scripts would set it up. */
export async function startServiceContainers(needed: readonly ServiceVariable[]): Promise<StartedServices> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const env: Partial<Record<ServiceVariable, string>> = {};
  const started: Array<{ stop(): Promise<unknown> }> = [];
  try {
    if (needed.includes('DATABASE_URL')) {
      const postgres = await new GenericContainer(containerImages.postgres)
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'onestop_test' })
        .withExposedPorts(5432)
        // The image's init runs a temporary server first: the second "ready" line is the real one.
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      started.push(postgres);
      env.DATABASE_URL = `postgres://postgres@${host}:${postgres.getMappedPort(5432)}/onestop_test`;
    }
    if (needed.includes('KAFKA_BROKERS')) {
      // The broker must advertise the address clients dial, known before it starts: the same free port inside and
      // outside the container.
      const port = await freePort();
      const kafka = await new GenericContainer(containerImages.kafka)
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          // single node: replication factor 1 for the internal topics, or consumer groups hang (kafkajs#1752)
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        })
        .withExposedPorts({ container: port, host: port })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start();
      started.push(kafka);
      for (const name of [topic, `${topic}.dlq`]) {
        const created = await kafka.exec([
          '/opt/kafka/bin/kafka-topics.sh',
          '--bootstrap-server',
          `localhost:${port}`,
          '--create',
          '--if-not-exists',
          '--topic',
          name,
          '--partitions',
          '12',
          '--replication-factor',
          '1',
          '--config',
          'retention.ms=-1',
        ]);
        if (created.exitCode !== 0) throw new Error(`creating topic ${name} failed: ${created.output}`);
      }
      env.KAFKA_BROKERS = `${host}:${port}`;
    }
  } catch (error) {
    await Promise.allSettled(started.map((container) => container.stop()));
    throw error;
  }
  return {
    env,
    stop: async () => {
      await Promise.all(started.map((container) => container.stop()));
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
