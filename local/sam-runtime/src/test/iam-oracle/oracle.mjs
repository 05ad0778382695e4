// Decides every case of iam/oracle-cases.json with @cloud-copilot/iam-simulate and writes its
// answer into the case's "expected" field, so PolicyEvaluatorOracleTest can hold the local
// evaluator to it without Node. Not run by the build; to refresh the answers:
//
//   cd /tmp && npm install @cloud-copilot/iam-simulate@0.1.173   (AGPL-3.0: used as an oracle only)
//   NODE_PATH=/tmp/node_modules node local/sam-runtime/src/test/iam-oracle/oracle.mjs \
//       local/sam-runtime/src/test/resources/iam/oracle-cases.json
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const require = createRequire(path.join(process.env.NODE_PATH ?? process.cwd(), 'x.js'))
const { runSimulation } = require('@cloud-copilot/iam-simulate')
const file = process.argv[2]
const doc = JSON.parse(readFileSync(file, 'utf8'))
const answers = { Allowed: 'ALLOWED', ImplicitlyDenied: 'IMPLICIT_DENY', ExplicitlyDenied: 'EXPLICIT_DENY' }
for (const c of doc.cases) {
  const sim = {
    request: {
      principal: 'arn:aws:sts::123456789012:assumed-role/ota-local-Role/ota-local-Function',
      action: c.action,
      resource: { resource: c.resource, accountId: '123456789012' },
      contextVariables: c.context
    },
    identityPolicies: [{ name: 'policy', policy: c.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  const result = await runSimulation(sim, {})
  const answer = answers[result.overallResult]
  if (!answer) {
    throw new Error(`${c.name}: iam-simulate answered ${JSON.stringify(result).slice(0, 600)}`)
  }
  c.expected = answer
}
doc.oracle = '@cloud-copilot/iam-simulate 0.1.173'
writeFileSync(file, JSON.stringify(doc, null, 1) + '\n')
console.log(`${doc.cases.length} cases decided`)
