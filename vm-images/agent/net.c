// Container networking without exec'ing ip(8): one rtnetlink request creates the veth pair (host end
// on the bridge and up, the peer named eth0 in the container's namespace), ioctls configure the
// inside, and a second request deletes the host end.
#define _GNU_SOURCE
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct request {
    struct nlmsghdr header;
    struct ifinfomsg info;
    char attributes[1024];
};

static struct rtattr *add_attr(struct nlmsghdr *h, int type, const void *data, size_t length) {
    struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
    rta->rta_type = (unsigned short)type;
    rta->rta_len = (unsigned short)RTA_LENGTH(length);
    if (length) memcpy(RTA_DATA(rta), data, length);
    h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
    return rta;
}

static void end_nest(struct nlmsghdr *h, struct rtattr *nest) {
    nest->rta_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

/* Sends one request and reads its acknowledgement; -1 with errno set from the kernel's answer. */
static int talk(struct nlmsghdr *h) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    h->nlmsg_seq = 1;
    int r = -1;
    if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) goto out;
    char answer[4096];
    for (;;) {
        ssize_t n = recv(fd, answer, sizeof answer, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            goto out;
        }
        for (struct nlmsghdr *a = (struct nlmsghdr *)answer; NLMSG_OK(a, (unsigned)n); a = NLMSG_NEXT(a, n)) {
            if (a->nlmsg_type != NLMSG_ERROR) continue;
            int error = ((struct nlmsgerr *)NLMSG_DATA(a))->error;
            if (error == 0) r = 0;
            else errno = -error;
            goto out;
        }
    }
out:;
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

static int parse_mac(const char *text, unsigned char mac[6]) {
    unsigned v[6];
    if (sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
    for (int i = 0; i < 6; i++) mac[i] = (unsigned char)v[i];
    return 0;
}

int net_create_veth(const char *host_name, const char *bridge, pid_t pid, const char *mac, int mtu, struct err *e) {
    unsigned master = if_nametoindex(bridge);
    if (!master) return fail(e, "if_nametoindex", bridge);
    struct request req;
    memset(&req, 0, sizeof req);
    struct nlmsghdr *h = &req.header;
    h->nlmsg_len = NLMSG_LENGTH(sizeof req.info);
    h->nlmsg_type = RTM_NEWLINK;
    h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    req.info.ifi_family = AF_UNSPEC;
    req.info.ifi_flags = req.info.ifi_change = IFF_UP;
    add_attr(h, IFLA_IFNAME, host_name, strlen(host_name) + 1);
    if (mtu > 0) add_attr(h, IFLA_MTU, &mtu, sizeof mtu);
    add_attr(h, IFLA_MASTER, &master, sizeof master);
    struct rtattr *linkinfo = add_attr(h, IFLA_LINKINFO, NULL, 0);
    add_attr(h, IFLA_INFO_KIND, "veth", 4);
    struct rtattr *data = add_attr(h, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer = add_attr(h, VETH_INFO_PEER, NULL, 0);
    /* not up here: veth_open fails with ENOTCONN before the pair is linked; the child sets it up */
    struct ifinfomsg peer_info = {.ifi_family = AF_UNSPEC};
    memcpy(RTA_DATA(peer), &peer_info, sizeof peer_info);
    h->nlmsg_len += sizeof peer_info;
    add_attr(h, IFLA_IFNAME, "eth0", 5);
    unsigned ns_pid = (unsigned)pid;
    add_attr(h, IFLA_NET_NS_PID, &ns_pid, sizeof ns_pid);
    unsigned char address[6];
    if (*mac) {
        if (parse_mac(mac, address) < 0) return fail_errno(e, EINVAL, "mac", mac);
        add_attr(h, IFLA_ADDRESS, address, 6);
    }
    if (mtu > 0) add_attr(h, IFLA_MTU, &mtu, sizeof mtu);
    end_nest(h, peer);
    end_nest(h, data);
    end_nest(h, linkinfo);
    if (talk(h) < 0) return fail(e, "RTM_NEWLINK", host_name);
    return 0;
}

int net_delete_link(const char *name, struct err *e) {
    unsigned index = if_nametoindex(name);
    if (!index) return 0;
    struct request req;
    memset(&req, 0, sizeof req);
    req.header.nlmsg_len = NLMSG_LENGTH(sizeof req.info);
    req.header.nlmsg_type = RTM_DELLINK;
    req.info.ifi_family = AF_UNSPEC;
    req.info.ifi_index = (int)index;
    if (talk(&req.header) < 0 && errno != ENODEV) return fail(e, "RTM_DELLINK", name);
    return 0;
}

static int ioctl_socket(struct err *e) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return fd < 0 ? fail(e, "socket", "") : fd;
}

static int link_up(int fd, const char *name, struct err *e) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return fail(e, "SIOCGIFFLAGS", name);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return fail(e, "SIOCSIFFLAGS", name);
    return 0;
}

int net_link_up(const char *name, struct err *e) {
    int fd = ioctl_socket(e);
    if (fd < 0) return -1;
    int r = link_up(fd, name, e);
    close(fd);
    return r;
}

static void set_sin(struct sockaddr *sa, in_addr_t address) {
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = address};
    memcpy(sa, &sin, sizeof sin);
}

int net_configure_inside(const char *address, const char *gateway, struct err *e) {
    int fd = ioctl_socket(e);
    if (fd < 0) return -1;
    int r = link_up(fd, "lo", e);
    if (r == 0 && *address) {
        char ip[32];
        int prefix = 32;
        const char *slash = strchr(address, '/');
        snprintf(ip, sizeof ip, "%.*s", slash ? (int)(slash - address) : (int)strlen(address), address);
        if (slash) prefix = atoi(slash + 1);
        struct in_addr a;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "eth0");
        if (inet_pton(AF_INET, ip, &a) != 1 || prefix < 0 || prefix > 32) {
            r = fail_errno(e, EINVAL, "address", address);
        } else {
            set_sin(&ifr.ifr_addr, a.s_addr);
            if (ioctl(fd, SIOCSIFADDR, &ifr) < 0) r = fail(e, "SIOCSIFADDR", "eth0");
            set_sin(&ifr.ifr_netmask, htonl(prefix ? ~0u << (32 - prefix) : 0));
            if (r == 0 && ioctl(fd, SIOCSIFNETMASK, &ifr) < 0) r = fail(e, "SIOCSIFNETMASK", "eth0");
            if (r == 0) r = link_up(fd, "eth0", e);
        }
    }
    if (r == 0 && *gateway) {
        struct in_addr g;
        struct rtentry rt;
        memset(&rt, 0, sizeof rt);
        if (inet_pton(AF_INET, gateway, &g) != 1) {
            r = fail_errno(e, EINVAL, "gateway", gateway);
        } else {
            set_sin(&rt.rt_dst, 0);
            set_sin(&rt.rt_genmask, 0);
            set_sin(&rt.rt_gateway, g.s_addr);
            rt.rt_flags = RTF_UP | RTF_GATEWAY;
            if (ioctl(fd, SIOCADDRT, &rt) < 0) r = fail(e, "SIOCADDRT", gateway);
        }
    }
    close(fd);
    return r;
}
