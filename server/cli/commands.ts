import { userCommands } from '../accounts/cli.js';
import {
  campaignCloneCommand,
  campaignCreateCommand,
  campaignEditCommand,
  campaignLifecycleCommands,
  campaignListCommand,
} from '../campaigns/cli.js';
import { importDepartmentsCommand, importEvaluatorsCommand, templateCommand } from '../roster/cli.js';
import { invitationsCommands } from '../invitations/cli.js';
import { exportResponsesCommand, importResponsesCommand } from '../responses/cli.js';
import { resultsCommands } from '../results/cli.js';
import { noticesCommands } from '../notices/cli.js';
import { ledgerCommand } from '../notices/ledger-cli.js';
import { backupCommand, restoreCommand } from '../db/cli.js';
import { negativesCommands } from '../negatives/cli.js';
import { purgeCommand } from '../privacy/cli.js';
import { progressCommand } from '../invitations/cli.js';
import type { Command } from './framework.js';
import { serveCommand } from './serve.js';

export { runCli } from './framework.js';

/** Every CLI command, in the order `minping --help` lists them. */
export const commands: Command[] = [
  serveCommand,
  campaignCreateCommand,
  campaignEditCommand,
  campaignCloneCommand,
  campaignListCommand,
  ...campaignLifecycleCommands,
  importDepartmentsCommand,
  importEvaluatorsCommand,
  templateCommand,
  ...invitationsCommands,
  ...userCommands,
  progressCommand,
  importResponsesCommand,
  exportResponsesCommand,
  ...resultsCommands,
  ...noticesCommands,
  ledgerCommand,
  backupCommand,
  restoreCommand,
  ...negativesCommands,
  purgeCommand,
];
