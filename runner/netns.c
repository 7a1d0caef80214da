#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"
#include "util.h"

int jc_loopback_up(struct jc_error *err)
{
        _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;

        if (sock < 0)
                return jc_error_set(err, errno, "loopback: socket");
        memset(&ifr, 0, sizeof(ifr));
        memcpy(ifr.ifr_name, "lo", 3);
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
                return jc_error_set(err, errno, "loopback: get flags of lo");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
                return jc_error_set(err, errno, "loopback: bring lo up");
        return 0;
}
