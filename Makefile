# outagebot — GNU make only.
#
#   make            build/outagebot (and build/plugins/*.so)
#   make run        demo against a throwaway local ngircd, or CONFIG=path
#   make test       unit + integration tests, then the same under ASan+UBSan
#   make deps       install missing Debian packages
#   make bench      benchmark (prints figures)
#   make fuzz       libFuzzer targets for a bounded time
#   make install    PREFIX, DESTDIR
#
# SAN=1 builds with ASan+UBSan into build-asan/ (used by make test).

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

ifeq ($(SAN),1)
B        ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
OPT      := -O1
else
B        ?= build
SANFLAGS :=
OPT      := -O2
endif

PKGS    := openssl libcurl jansson sqlite3 libconfig yaml-0.1 libidn
CC      ?= cc
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wno-unused-parameter -Iinclude -Ibot $(SANFLAGS) \
           -DOB_VERSION='"$(VERSION)"' \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lm
LDFLAGS += $(SANFLAGS)

BOT_SRC  := $(wildcard bot/*.c)
BOT_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(BOT_SRC))
LIB_OBJ  := $(filter-out $(B)/obj/bot/main.o,$(BOT_OBJ))
PLUG_SRC := $(wildcard plugins/*.c)
PLUG_SO  := $(patsubst plugins/%.c,$(B)/plugins/%.so,$(PLUG_SRC))
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRC))

.PHONY: all run test deps bench fuzz install clean unit integ check-deps
all: $(B)/outagebot $(PLUG_SO)

# The modules go into an archive, so the binary takes only what main
# reaches.
$(B)/libob.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/outagebot: $(B)/obj/bot/main.o $(B)/libob.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/plugins/%.so: plugins/%.c include/outagebot/plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS)

# A unit test names the modules it links in a comment line of its own:
#   /* deps: store util log */
# so that a test builds while unrelated modules are being changed.
test_deps = $(patsubst %,$(B)/obj/bot/%.o,$(shell sed -n \
	's|^/\* deps: \(.*\) \*/$$|\1|p' tests/unit/$(1).c))
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(call test_deps,%)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -lcmocka $(LDLIBS)

unit: $(TEST_BIN)
	@tests/run-unit $(TEST_BIN)

integ: all
	@OB_BUILD=$(B) python3 tests/integ/run.py

test: deps
	@bash tests/run-all

deps:
	@bash tests/deps.sh

run: deps all
	@bash tests/net/demo.sh "$(B)/outagebot" "$(CONFIG)"

bench: deps all
	@python3 tests/bench/bench.py $(B)/outagebot

fuzz:
	@bash tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/outagebot/plugins \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/outagebot
	install -m 755 $(B)/outagebot $(DESTDIR)$(PREFIX)/bin/outagebot
	$(if $(PLUG_SO),install -m 644 $(PLUG_SO) $(DESTDIR)$(PREFIX)/lib/outagebot/plugins/)
	install -m 644 outagebot.1 $(DESTDIR)$(PREFIX)/share/man/man1/outagebot.1
	install -m 644 bot.conf.example $(DESTDIR)$(PREFIX)/share/doc/outagebot/bot.conf.example

clean:
	rm -rf build build-asan

-include $(BOT_OBJ:.o=.d)
