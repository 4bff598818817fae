import type { Pool } from '../../shared/db/pool';

/**
 * Makes `owner` the single writer of a partition by bumping its epoch (the fencing token). The UPDATE
 * waits for a commit of the previous owner that is in flight, so after it returns, no batch of the
 * old owner can commit any more.
 */
export async function activatePartition(pool: Pool, partition: number, owner: string): Promise<number> {
  const { rows } = await pool.query<{ epoch: number }>({
    name: 'activate-partition',
    text: `INSERT INTO partitions (id, epoch, owner, activated_at) VALUES ($1, 1, $2, now())
           ON CONFLICT (id) DO UPDATE SET epoch = partitions.epoch + 1, owner = $2, activated_at = now()
           RETURNING epoch`,
    values: [partition, owner],
  });
  return rows[0]!.epoch;
}
