import type { TObject } from 'typebox';
import { describeType } from './describe.js';
import { type BranchSchema, type ConfigLeaf, configLeaves } from './leaves.js';
import { CoreConfigSchema } from './schema.js';

const INTRO = `# Configuration

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`; do not edit by hand. -->

\`loadConfig()\` assembles a service's configuration and checks it against the schema before
anything starts. Each source overrides the ones above it:

1. the defaults declared in the schema (listed below);
2. \`defaults\` passed to \`loadConfig({ defaults })\`;
3. the config module named by \`WHARF_CONFIG\`;
4. the \`.env\` file;
5. the process environment.

**Config module.** \`WHARF_CONFIG\` holds the path of a \`.ts\`, \`.js\`, \`.mjs\` or \`.json\`
file, relative to the working directory. Its default export (or a named \`config\` export) is
a plain object shaped like the table below, or a function returning one (or a promise of one).
A key the schema does not declare is an error, so typos cannot pass unnoticed.

**\`.env\` file.** Read from \`WHARF_ENV_FILE\` when set (it must then exist), otherwise from
\`.env\` in the working directory when there is one. It holds the same variables as the
environment, which wins over it; it may also set \`WHARF_CONFIG\`. The process environment is
never modified.

**Environment variables.** Every setting can be set by \`WHARF_\` followed by its path in
upper snake case (\`http.port\` → \`WHARF_HTTP_PORT\`, \`http.requestTimeoutMs\` →
\`WHARF_HTTP_REQUEST_TIMEOUT_MS\`). Some settings also read a conventional alias such as
\`PORT\`; when both are set in the same source, the \`WHARF_\` name wins. Values are converted
by type: integers and numbers must be numeric; booleans accept \`true\`/\`false\`, \`1\`/\`0\`
and \`yes\`/\`no\` in any case; lists are comma-separated, with entries trimmed and empty
entries dropped (so an empty value is an empty list); a choice of words is taken as written.
Other \`WHARF_\` variables are ignored, since the environment is shared with other programs.

**Application settings.** \`loadConfig({ schema: Type.Object({ … }) })\` adds the
application's own settings next to Wharf's (a key Wharf already uses is an error). They get
\`WHARF_\` variables the same way: \`citiesUrl\` → \`WHARF_CITIES_URL\`.

**Errors.** An invalid configuration throws \`ConfigError\` (code \`CONFIG_INVALID\`) with one
line per problem, naming the setting, where its value came from, the value and what was
expected:

\`\`\`text
Invalid configuration: http.port = "abc" (from env WHARF_HTTP_PORT): expected integer from 0 to 65535
\`\`\`

## Settings
`;

/** The Markdown reference of every setting of `schema` (Wharf's own unless given). */
export function renderConfigDocs(schema: TObject = CoreConfigSchema): string {
  const header = [
    '| Key | Environment | Type | Default | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  return `${INTRO}\n${[...header, ...configLeaves(schema as unknown as BranchSchema).map(row)].join('\n')}\n`;
}

function row(leaf: ConfigLeaf): string {
  const cells = [
    code(leaf.key),
    leaf.envNames.map(code).join(', '),
    escapeCell(describeType(leaf.schema)),
    'default' in leaf.schema ? code(JSON.stringify(leaf.schema.default)) : '(required)',
    escapeCell(typeof leaf.schema.description === 'string' ? leaf.schema.description : ''),
  ];
  return `| ${cells.join(' | ')} |`;
}

function code(text: string): string {
  return `\`${escapeCell(text)}\``;
}

/** Pipes would end a table cell and line breaks the row. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}
