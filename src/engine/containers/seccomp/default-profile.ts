// docker's default seccomp profile, as Dockside's own data. It follows moby's default profile of v28
// (profiles/seccomp/default.json, v28.2.2): the same system calls are allowed, under the same
// capability, architecture and kernel conditions, with the same argument rules for personality, clone
// and socket, and EPERM for everything else. Names that do not exist on i386 (the only architecture
// Dockside's guest has) stay in the lists, as in moby's, and the compiler skips them like libseccomp.

import type { SeccompProfile, SeccompRule } from './profile';

const names = (text: string): string[] => text.split(/\s+/).filter(Boolean);

/** Allowed for every container, grouped by what they are for. */
const ALWAYS = names(`
  read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 sendfile sendfile64 splice tee vmsplice
  copy_file_range readahead lseek _llseek close close_range dup dup2 dup3 fcntl fcntl64 ioctl flock fsync fdatasync
  sync syncfs sync_file_range fadvise64 fadvise64_64 fallocate truncate truncate64 ftruncate ftruncate64

  open openat openat2 creat access faccessat faccessat2 stat stat64 lstat lstat64 fstat fstat64 fstatat64
  newfstatat statx statfs statfs64 fstatfs fstatfs64 getdents getdents64 getcwd chdir fchdir readlink readlinkat
  mkdir mkdirat mknod mknodat rmdir link linkat symlink symlinkat unlink unlinkat rename renameat renameat2
  chmod fchmod fchmodat fchmodat2 chown chown32 fchown fchown32 fchownat lchown lchown32 umask utime utimes
  utimensat utimensat_time64 futimesat name_to_handle_at

  getxattr lgetxattr fgetxattr getxattrat setxattr lsetxattr fsetxattr setxattrat listxattr llistxattr flistxattr
  listxattrat removexattr lremovexattr fremovexattr removexattrat

  inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark
  poll ppoll ppoll_time64 select _newselect pselect6 pselect6_time64 epoll_create epoll_create1 epoll_ctl
  epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 signalfd signalfd4
  timerfd_create timerfd_settime timerfd_settime64 timerfd_gettime timerfd_gettime64
  io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents io_pgetevents_time64

  execve execveat fork vfork exit exit_group wait4 waitid waitpid kill tkill tgkill pidfd_open pidfd_send_signal
  getpid getppid gettid getpgid setpgid getpgrp getsid setsid getpriority setpriority prctl restart_syscall
  process_mrelease seccomp rseq set_tid_address get_robust_list set_robust_list uname sysinfo getcpu
  getrandom capget capset landlock_create_ruleset landlock_add_rule landlock_restrict_self uretprobe

  getuid getuid32 geteuid geteuid32 getresuid getresuid32 setuid setuid32 setreuid setreuid32 setresuid
  setresuid32 setfsuid setfsuid32 getgid getgid32 getegid getegid32 getresgid getresgid32 setgid setgid32
  setregid setregid32 setresgid setresgid32 setfsgid setfsgid32 getgroups getgroups32 setgroups setgroups32

  getrlimit ugetrlimit setrlimit prlimit64 getrusage times ioprio_get ioprio_set
  sched_yield sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam sched_setparam
  sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval
  sched_rr_get_interval_time64

  brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock mlock2 munlock mlockall munlockall membarrier
  memfd_create memfd_secret remap_file_pages pkey_alloc pkey_free pkey_mprotect map_shadow_stack mseal
  set_thread_area get_thread_area futex futex_time64 futex_wait futex_wake futex_waitv futex_requeue cachestat

  time gettimeofday clock_gettime clock_gettime64 clock_getres clock_getres_time64 clock_nanosleep
  clock_nanosleep_time64 nanosleep adjtimex clock_adjtime clock_adjtime64 alarm pause getitimer setitimer
  timer_create timer_delete timer_settime timer_settime64 timer_gettime timer_gettime64 timer_getoverrun

  rt_sigaction rt_sigprocmask rt_sigpending rt_sigsuspend rt_sigreturn rt_sigtimedwait rt_sigtimedwait_time64
  rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack sigprocmask sigreturn

  pipe pipe2 ipc shmget shmat shmdt shmctl semget semop semctl semtimedop semtimedop_time64 msgget msgsnd msgrcv
  msgctl mq_open mq_unlink mq_timedsend mq_timedsend_time64 mq_timedreceive mq_timedreceive_time64 mq_notify
  mq_getsetattr

  socketcall socketpair bind listen accept accept4 connect getsockname getpeername getsockopt setsockopt shutdown
  send sendto sendmsg sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64

  listmount statmount riscv_hwprobe
`);

const allow = (list: string, conditions: Omit<SeccompRule, 'names' | 'action'> = {}): SeccompRule => ({ names: names(list), action: 'SCMP_ACT_ALLOW', ...conditions });

/** personality(2) only with these personas: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the query. */
const PERSONAS = [0x0n, 0x8n, 0x20000n, 0x20008n, 0xffffffffn];

/** clone(2) flags that make namespaces (CLONE_NEWNS ... CLONE_NEWNET, CLONE_NEWCGROUP), refused without CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000n;

const ENOSYS = 38;

export const DEFAULT_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1, // EPERM
  // moby's archMap names the 64-bit architectures and their compat ones; for an i386 daemon none of them
  // is the native one, so the filter covers i386 alone either way.
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ALWAYS, action: 'SCMP_ACT_ALLOW' },
    allow('process_vm_readv process_vm_writev ptrace', { includes: { minKernel: '4.8' } }),
    // any socket but AF_VSOCK (40)
    allow('socket', { args: [{ index: 0, value: 40n, valueTwo: 0n, op: 'SCMP_CMP_NE' }] }),
    ...PERSONAS.map((persona) => allow('personality', { args: [{ index: 0, value: persona, valueTwo: 0n, op: 'SCMP_CMP_EQ' }] })),
    allow('sync_file_range2 swapcontext', { includes: { arches: ['ppc64le'] } }),
    allow('arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls', { includes: { arches: ['arm', 'arm64'] } }),
    allow('arch_prctl', { includes: { arches: ['amd64', 'x32'] } }),
    allow('modify_ldt', { includes: { arches: ['amd64', 'x32', 'x86'] } }),
    allow('s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr', { includes: { arches: ['s390', 's390x'] } }),
    allow('riscv_flush_icache', { includes: { arches: ['riscv64'] } }),
    // what the capabilities of the container make safe to allow
    allow('open_by_handle_at', { includes: { caps: ['CAP_DAC_READ_SEARCH'] } }),
    allow(
      `bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie lsm_get_self_attr lsm_list_modules
       lsm_set_self_attr mount mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname
       sethostname setns syslog umount umount2 unshare`,
      { includes: { caps: ['CAP_SYS_ADMIN'] } },
    ),
    // without CAP_SYS_ADMIN: clone without namespace flags (the flags are the second argument on s390)
    allow('clone', { args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0n, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } }),
    allow('clone', { args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0n, op: 'SCMP_CMP_MASKED_EQ' }], includes: { arches: ['s390', 's390x'] }, excludes: { caps: ['CAP_SYS_ADMIN'] } }),
    // clone3's flags are behind a pointer, out of a filter's reach: ENOSYS makes libc fall back to clone
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    allow('reboot', { includes: { caps: ['CAP_SYS_BOOT'] } }),
    allow('chroot', { includes: { caps: ['CAP_SYS_CHROOT'] } }),
    allow('delete_module init_module finit_module', { includes: { caps: ['CAP_SYS_MODULE'] } }),
    allow('acct', { includes: { caps: ['CAP_SYS_PACCT'] } }),
    allow('kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace', { includes: { caps: ['CAP_SYS_PTRACE'] } }),
    allow('iopl ioperm', { includes: { caps: ['CAP_SYS_RAWIO'] } }),
    allow('settimeofday stime clock_settime clock_settime64', { includes: { caps: ['CAP_SYS_TIME'] } }),
    allow('vhangup', { includes: { caps: ['CAP_SYS_TTY_CONFIG'] } }),
    allow('get_mempolicy mbind set_mempolicy set_mempolicy_home_node', { includes: { caps: ['CAP_SYS_NICE'] } }),
    allow('syslog', { includes: { caps: ['CAP_SYSLOG'] } }),
    allow('bpf', { includes: { caps: ['CAP_BPF'] } }),
    allow('perf_event_open', { includes: { caps: ['CAP_PERFMON'] } }),
  ],
};
