/** The error an SDK call fails with: its name, message and HTTP status (throws when the call succeeds). */
export const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const failed = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failed.name, message: failed.message, status: failed.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
};
