// The page's own words in both languages (the lessons bring theirs). One table, so a missing
// translation is a type error.

import type { Lang } from '../lessons/types';

export type { Lang };
export const LANGS: readonly Lang[] = ['zh', 'en'];

const strings = {
  brand: { zh: 'Dockside', en: 'Dockside' },
  courseMap: { zh: '课程目录', en: 'Course map' },
  closeCourseMap: { zh: '关闭课程目录', en: 'Close the course map' },
  language: { zh: '语言', en: 'Language' },
  resetLesson: { zh: '重置本课', en: 'Reset this lesson' },
  resetConfirm: { zh: '清除本课的进度，并把机器恢复到本课开始时的状态？', en: "Clear this lesson's progress and put the machine back in the state the lesson starts from?" },
  resetDone: { zh: '本课已重置。', en: 'The lesson was reset.' },
  terminalOnly: { zh: '仅终端', en: 'Terminal only' },
  lessonPane: { zh: '课程', en: 'Lesson' },
  terminal: { zh: '终端', en: 'Terminal' },
  sideRegion: { zh: '侧栏', en: 'Side panel' },
  lessonMap: { zh: '本课地图', en: 'Lesson map' },
  regions: { zh: '页面区域', en: 'Page regions' },
  resizeLesson: { zh: '调整课程与终端的宽度', en: 'Resize the lesson and the terminal' },
  resizeSide: { zh: '调整终端与侧栏的宽度', en: 'Resize the terminal and the side panel' },
  skipToTerminal: { zh: '跳到终端（Alt+T）', en: 'Skip to the terminal (Alt+T)' },
  shortcuts: { zh: 'Alt+T 进入终端，Alt+L 回到课程', en: 'Alt+T: terminal, Alt+L: back to the lesson' },
  run: { zh: '运行', en: 'Run' },
  copy: { zh: '复制', en: 'Copy' },
  copied: { zh: '已复制', en: 'Copied' },
  writeFile: { zh: '写入文件', en: 'Write file' },
  fileWritten: { zh: '文件已写入', en: 'File written' },
  step: { zh: '步骤', en: 'Step' },
  stepOf: { zh: '第 {n} 步，共 {total} 步', en: 'Step {n} of {total}' },
  done: { zh: '已完成', en: 'Done' },
  todo: { zh: '未完成', en: 'Not done yet' },
  optional: { zh: '选做', en: 'Optional' },
  stepPassed: { zh: '完成：{title}', en: 'Done: {title}' },
  stillMissing: { zh: '还差一点', en: 'Not yet' },
  hint: { zh: '提示', en: 'Hint' },
  showSolution: { zh: '显示答案', en: 'Show solution' },
  hideSolution: { zh: '隐藏答案', en: 'Hide solution' },
  checking: { zh: '正在检查…', en: 'Checking…' },
  lessonDone: { zh: '本课完成！', en: 'Lesson complete!' },
  nextLesson: { zh: '下一课：{title}', en: 'Next lesson: {title}' },
  previousLesson: { zh: '上一课：{title}', en: 'Previous lesson: {title}' },
  loadingLesson: { zh: '正在加载课程…', en: 'Loading the lesson…' },
  lessonNotFound: { zh: '找不到这一课：{id}', en: 'There is no lesson {id}.' },
  lessonLoadFailed: { zh: '课程加载失败：{error}', en: 'The lesson could not be loaded: {error}' },
  startTitle: { zh: '在浏览器里动手学 Docker', en: 'Learn Docker by doing it, in your browser' },
  startIntro: {
    zh: '页面上的终端连着一台真正的 Linux 宿主机，Docker 守护进程就在上面运行。每一课都让你亲手敲命令，并在这台真实的机器上检查结果。',
    en: 'The terminal on this page is a real Linux host with a Docker daemon running on it. Every lesson has you type the commands yourself, and checks the result on the real machine.',
  },
  continueWhere: { zh: '从上次停下的地方继续', en: 'Continue where you left off' },
  continueLesson: { zh: '继续：{title}', en: 'Continue: {title}' },
  startCourse: { zh: '从第一课开始', en: 'Start with the first lesson' },
  courseContents: { zh: '全部课程', en: 'All lessons' },
  lessonsDone: { zh: '已完成 {done}/{total} 课', en: '{done} of {total} lessons done' },
  finished: { zh: '已完成', en: 'finished' },
  noLessons: { zh: '还没有课程。', en: 'There are no lessons yet.' },
  bootingHost: { zh: '正在启动 Docker 宿主机…', en: 'Starting the Docker host…' },
  hostFailed: { zh: 'Docker 宿主机无法启动：{error}', en: 'The Docker host could not start: {error}' },
  tryAgain: { zh: '重试', en: 'Try again' },
  home: { zh: '首页', en: 'Start page' },
  currentStep: { zh: '当前步骤', en: 'current step' },
  resetMachine: { zh: '重置机器', en: 'Reset machine' },
  resetMachineConfirm: {
    zh: '把机器恢复到全新的初始状态？\n\n将会丢失：你在机器上写的所有文件、拉取或构建的镜像、所有容器（正在运行的会停止）、卷和网络、终端记录，以及各课程步骤的回退点（之后无法再“回到这一步”）。\n课程进度会保留。',
    en: 'Put the machine back in its fresh, bundled state?\n\nThis loses: every file you wrote on the machine, the images you pulled or built, all containers (running ones stop), volumes and networks, the terminal history, and the lesson steps\' rewind points (no more "Rewind to here").\nYour lesson progress is kept.',
  },
  rewindHere: { zh: '回到这一步', en: 'Rewind to here' },
  rewindConfirm: {
    zh: '回到“{title}”刚完成的那一刻？\n\n机器会回到这一步通过时的样子。之后做的一切都会丢失：写的文件、拉取或构建的镜像、容器（正在运行的也一样）、卷和网络，以及之后的终端记录。\n本课在这一步之后的步骤会重新标记为未完成；其他课程的进度不变。',
    en: 'Rewind to the moment “{title}” passed?\n\nThe machine goes back to how it was when this step passed. Everything done since is lost: files you wrote, images you pulled or built, containers (running ones too), volumes and networks, and the terminal output since.\nThe steps after it in this lesson are marked not done again; other lessons\' progress stays.',
  },
  rewinding: { zh: '正在回到这一步…', en: 'Rewinding…' },
  rewindFailed: { zh: '无法回到这一步：{error}', en: 'Could not rewind: {error}' },
  rewound: { zh: 'Dockside：已回到“{title}”刚完成时的机器。', en: 'Dockside: rewound to the machine as it was when “{title}” passed.' },
  rewindPoints: { zh: '回退点', en: 'Rewind points' },
  rewindPointsUsage: { zh: '{count} 个回退点，额外占用 {used}（上限 {budget}）。', en: '{count} rewind points, using {used} beyond the current machine (limit {budget}).' },
  rewindBudget: { zh: '回退点空间上限', en: 'Space for rewind points' },
  rewindBudgetHelp: { zh: '超出上限时，最早的回退点会被删除。', en: 'Beyond the limit the oldest rewind points are deleted.' },
  machineSaving: { zh: '正在保存机器…', en: 'Saving the machine…' },
  machineSaved: { zh: '机器已保存 {time}', en: 'Machine saved {time}' },
  machineNotSaved: { zh: '机器未保存', en: 'Machine not saved' },
  storageRefused: {
    zh: '浏览器拒绝保存这台机器（存储空间已满，或处于隐私浏览模式）。机器照常工作，但之后的改动在刷新页面后会丢失；上次保存的机器仍然保留。',
    en: 'The browser refused to save this machine (its storage is full, or this is a private window). The machine keeps working, but changes from now on are lost when the page reloads; the machine saved last is kept.',
  },
  dismiss: { zh: '关闭', en: 'Dismiss' },
  otherTab: {
    zh: '这台机器已在另一个标签页中打开，由那个标签页负责保存；在这里做的改动不会被保存。',
    en: 'This machine is open in another tab, which keeps it saved: changes made in this tab are not saved.',
  },
  machineOtherTab: { zh: '由另一个标签页保存', en: 'Saved by another tab' },
  resumeOtherBuild: {
    zh: 'Dockside：你保存的机器来自另一个版本的 Docker 宿主机，无法恢复；现在从全新的机器开始。',
    en: 'Dockside: your saved machine was made by another version of the Docker host and cannot be resumed; starting from a fresh machine.',
  },
  resumeCorrupt: {
    zh: 'Dockside：你保存的机器已损坏，无法读取；现在从全新的机器开始。',
    en: 'Dockside: your saved machine is damaged and could not be read; starting from a fresh machine.',
  },
  resumeFailed: {
    zh: 'Dockside：你保存的机器没能启动；现在从全新的机器开始。',
    en: 'Dockside: your saved machine did not start; starting from a fresh machine.',
  },
} satisfies Record<string, Record<Lang, string>>;

export type StringKey = keyof typeof strings;

/** The page's text for `key` in `lang`, with `{name}` replaced from `vars`. */
export function t(lang: Lang, key: StringKey, vars: Record<string, string | number> = {}): string {
  return strings[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

const LANG_KEY = 'dockside.lang';

/** The language to open in when the address does not say: the last one chosen, else the browser's. */
export function preferredLang(storage: Pick<Storage, 'getItem'>, languages: readonly string[]): Lang {
  const stored = storage.getItem(LANG_KEY);
  if (stored === 'zh' || stored === 'en') return stored;
  return languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

export function rememberLang(storage: Pick<Storage, 'setItem'>, lang: Lang): void {
  storage.setItem(LANG_KEY, lang);
}
