import { hostRuntimeDifferences } from '../../src/lambda/node-runtime.ts';

describe('hostRuntimeDifferences (the banner lines for runtimes this Node.js cannot give in full)', () => {
  const functions = [
    { logicalId: 'Old', runtime: 'nodejs20.x' },
    { logicalId: 'Current', runtime: 'nodejs22.x' },
    { logicalId: 'New', runtime: 'nodejs24.x' },
    { logicalId: 'AlsoNew', runtime: 'nodejs24.x' },
    { logicalId: 'Python', runtime: 'python3.12' },
  ];

  it("names nodejs24.x functions on Node.js 22, with Node.js 24's additions they will not find", () => {
    expect(hostRuntimeDifferences(functions, 'v22.12.0')).toEqual([
      "nodejs20.x (Old): nodejs20.x's handler contract, on Node.js v22.12.0: APIs added after Node.js 20 work here, not on Lambda",
      "nodejs24.x (New, AlsoNew): nodejs24.x's handler contract, on Node.js v22.12.0: what Node.js 24 added is missing here (RegExp.escape, Error.isError, Promise.try, Float16Array, `using` declarations, the URLPattern global); run on Node.js 24 for Lambda's",
    ]);
  });

  it('names older runtimes on Node.js 24, and says nothing of a runtime that matches the host or is not Node.js', () => {
    expect(hostRuntimeDifferences(functions, 'v24.21.0')).toEqual([
      "nodejs20.x (Old): nodejs20.x's handler contract, on Node.js v24.21.0: APIs added after Node.js 20 work here, not on Lambda",
      "nodejs22.x (Current): nodejs22.x's handler contract, on Node.js v24.21.0: APIs added after Node.js 22 work here, not on Lambda",
    ]);
    expect(hostRuntimeDifferences([{ logicalId: 'New', runtime: 'nodejs24.x' }], 'v24.21.0')).toEqual([]);
  });
});
