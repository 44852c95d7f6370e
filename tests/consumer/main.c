/* Reads its own source file through an installed libaionl. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <aionl.h>

int main(int argc, char **argv)
{
	struct aionl_ctx *ctx;
	struct aionl_req r;
	struct aionl_cqe c;
	char buf[16] = "";
	uint64_t h;
	int fd = open(argc > 1 ? argv[1] : argv[0], O_RDONLY);

	if (fd < 0 || aionl_ctx_open(&ctx, NULL) || aionl_file_register(ctx, fd, &h)) {
		fprintf(stderr, "consumer: %s\n", aionl_error_message());
		return 1;
	}
	aionl_req_read(&r, h, buf, sizeof(buf) - 1, 0, 7);
	if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1 ||
	    c.cookie != 7 || c.res <= 0) {
		fprintf(stderr, "consumer: read failed: %s\n", aionl_error_message());
		return 1;
	}
	printf("read %lld bytes: %s\n", (long long)c.res, strncmp(buf, "/* Reads", 8) ? "?" : "ok");
	aionl_ctx_close(ctx);
	close(fd);
	return strncmp(buf, "/* Reads", 8) != 0;
}
