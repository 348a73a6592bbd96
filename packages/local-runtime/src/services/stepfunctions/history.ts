/** One event of an execution's history (API reference, "HistoryEvent"); `timestamp` is epoch ms here. */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  detailsKey?: string;
  details?: Record<string, unknown>;
}

// Fields that carry execution data, left out when GetExecutionHistory is asked for `includeExecutionData: false`.
const DATA_FIELDS = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

/** The history GetExecutionHistory answers with; closed once the execution has ended, so late events are dropped. */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  private closed = false;

  add(type: string, detailsKey?: string, details?: Record<string, unknown>): void {
    if (this.closed) return;
    const id = this.events.length + 1;
    this.events.push({
      timestamp: Date.now(),
      type,
      id,
      previousEventId: id - 1,
      ...(detailsKey && details ? { detailsKey, details } : {}),
    });
  }

  close(): void {
    this.closed = true;
  }
}

/** One history event in the JSON protocol's shape: epoch seconds, details under their own member. */
export const historyEventOutput = (event: HistoryEvent, includeData: boolean) => {
  const details =
    event.details && !includeData
      ? Object.fromEntries(Object.entries(event.details).filter(([name]) => !DATA_FIELDS.has(name)))
      : event.details;
  return {
    timestamp: event.timestamp / 1000,
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
    ...(event.detailsKey && details ? { [event.detailsKey]: details } : {}),
  };
};

/** A JSON text as history details carry it, with the `*Details` member that says it is complete. */
export const data = (name: 'input' | 'output', value: unknown) => ({
  [name]: JSON.stringify(value ?? null),
  [`${name}Details`]: { truncated: false },
});
