import type { TaskHandlers } from '../task-handler.ts';
import { httpTask } from './http-task.ts';
import { logTask } from './log-task.ts';
import { pluginTask } from './plugin-task.ts';
import { shellTask } from './shell-task.ts';
import { sleepTask } from './sleep-task.ts';

/** The handler of every automated task type (`manual` steps are completed by people, not handlers). */
export const taskHandlers: TaskHandlers = {
  shell: shellTask,
  http: httpTask,
  log: logTask,
  sleep: sleepTask,
  plugin: pluginTask,
};
