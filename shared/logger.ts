import winston from 'winston';

/** Fields every log line may carry so one request can be followed from HTTP through the queue to the socket. */
export interface LogScope {
  [key: string]: unknown;
  role?: string;
  partition?: number;
  event_id?: string;
  booking_id?: string;
  correlation_id?: string;
}

export type Logger = winston.Logger;

/** Creates the root JSON logger for a role. */
export function createLogger(role: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level: process.env.NODE_ENV === 'test' && !process.env.LOG_LEVEL ? 'warn' : level,
    defaultMeta: { role, pid: process.pid },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    // winston types Console as an interface with a construct signature, not a class, so the rule cannot see that
    // this `new` builds a real TransportStream.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}
