/* hello-world for Dockside: a static i386 program with no C library that writes one message and exits 0.
 * Built by ../build.sh: gcc -m32 -static -Os -s -nostdlib ... */
static const char message[] =
  "\n"
  "Hello from Dockside!\n"
  "\n"
  "If you are reading this, containers work. Here is the path your command took:\n"
  "\n"
  " 1. The docker client (the program you typed) sent your request to the Docker\n"
  "    daemon over its API.\n"
  " 2. The daemon looked for the image \"hello-world\"; when it was not there yet,\n"
  "    it pulled it from a registry (here, the one that ships with this page).\n"
  " 3. The daemon created a container from the image: its own filesystem and its\n"
  "    own namespaces, with /hello as the command to run.\n"
  " 4. The container started this tiny program, and the daemon passed everything\n"
  "    it wrote back to the client, which printed it in your terminal.\n"
  "\n"
  "Now try a container with a shell in it:\n"
  " $ docker run -it busybox sh\n"
  "\n"
  "or a small Debian system with apt:\n"
  " $ docker run -it debian bash\n"
  "\n"
  "All of this is a real Linux kernel, running inside your browser tab.\n"
  "\n";

static long syscall3(long nr, long a, long b, long c)
{
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

enum { SYS_exit = 1, SYS_write = 4, EINTR = 4 };

void _start(void)
{
  const char *p = message;
  long left = sizeof message - 1, status = 0;
  while (left > 0) {
    long n = syscall3(SYS_write, 1, (long)p, left);
    if (n == -EINTR) continue;
    if (n <= 0) { status = 1; break; }
    p += n;
    left -= n;
  }
  for (;;) syscall3(SYS_exit, status, 0, 0);
}
