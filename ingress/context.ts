import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Pool } from '../shared/db/pool';
import type { Logger } from '../shared/logger';
import type { RedisKeys } from '../shared/redis/keys';
import type { TokenVersions } from '../shared/token-versions';
import type { BrokerLink } from './broker-link';

/** What every route handler of ingress may use. */
export interface IngressContext {
  config: Config;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  broker: BrokerLink;
  logger: Logger;
  /**
   * The read side (search, event pages, catalog): its own PostgreSQL pool (READ_DATABASE_URL or the
   * primary) and Redis connection, so read traffic never queues behind, or starves, the booking path.
   * Absent: the booking path's pool and client are used.
   */
  read?: { pool: Pool; redis: Redis };
  /** Token versions (revocation); absent: built by createApp from `pool` and `redis`. */
  tokenVersions?: TokenVersions;
}
