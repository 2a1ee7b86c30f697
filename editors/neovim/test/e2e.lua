-- End-to-end test of the plugin in real headless neovim (run by test/run, which gives
-- PIPELINT_BIN, PIPELINT_FIXTURE, PIPELINT_EXPECTED and PIPELINT_RESULT):
--   1. setup() with the binary under test, then open the fixture: the plugin attaches;
--   2. wait for the diagnostics and compare rule ids and exact positions with what
--      `pipelint check --format json` says about the same file (PIPELINT_EXPECTED);
--   3. ask for the code actions at the `cache` key, apply the quick fix "Rename `cache`
--      to `caches`", check the buffer changed as the fix says, and that the server then
--      dropped that diagnostic;
--   4. the custom request pipelint/effectivePipeline answers for the buffer.
-- Each check writes `ok <what>` or `FAIL <what>: <why>` to PIPELINT_RESULT; the last line
-- is `done`.
local result_path = assert(os.getenv("PIPELINT_RESULT"))
local out = assert(io.open(result_path, "w"))
local failures = 0

local function report(ok, what, why)
  if ok then
    out:write("ok " .. what .. "\n")
  else
    failures = failures + 1
    out:write("FAIL " .. what .. ": " .. tostring(why) .. "\n")
  end
  out:flush()
end

local function finish()
  out:write("done\n")
  out:close()
  vim.cmd(failures == 0 and "qa!" or "cquit! 1")
end

local ok, err = pcall(function()
  vim.opt.runtimepath:append(assert(os.getenv("PIPELINT_PLUGIN")))
  local pipelint = require("pipelint")
  pipelint.setup({ cmd = { assert(os.getenv("PIPELINT_BIN")), "lsp" }, settings = {} })

  vim.cmd("edit " .. vim.fn.fnameescape(assert(os.getenv("PIPELINT_FIXTURE"))))
  local buf = vim.api.nvim_get_current_buf()

  local attached = vim.wait(10000, function()
    local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
    return next(clients) ~= nil
  end, 20)
  report(attached, "the plugin attached pipelint to the buffer", "no client after 10 s")
  if not attached then
    return
  end

  -- 2. Diagnostics, against the CLI's.
  local expected = {}
  for line in io.lines(assert(os.getenv("PIPELINT_EXPECTED"))) do
    table.insert(expected, line)
  end
  local function actual()
    local got = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      -- 1-based lines and columns, as the CLI prints them.
      table.insert(got, ("%s %d:%d-%d:%d"):format(code, d.lnum + 1, d.col + 1, d.end_lnum + 1, d.end_col + 1))
    end
    table.sort(got)
    return got
  end
  local got_any = vim.wait(10000, function()
    return #vim.diagnostic.get(buf) >= #expected
  end, 20)
  report(got_any, "diagnostics arrived", "none after 10 s")
  local got = actual()
  table.sort(expected)
  report(
    vim.deep_equal(got, expected),
    "diagnostics have the CLI's rule ids and exact positions (" .. table.concat(got, ", ") .. ")",
    "expected " .. table.concat(expected, ", ")
  )
  local has_unknown = vim.tbl_contains(got, "schema/unknown-key 10:9-10:14")
  report(has_unknown, "schema/unknown-key at 10:9-10:14", table.concat(got, ", "))

  -- 3. The quick fix, through textDocument/codeAction.
  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == "schema/unknown-key" then
      target = d
    end
  end
  if target == nil then
    return
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = {
      start = { line = target.lnum, character = target.col },
      ["end"] = { line = target.end_lnum, character = target.end_col },
    },
    context = { diagnostics = {}, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000) or {}
  local action
  for _, response in pairs(responses) do
    for _, a in ipairs(response.result or {}) do
      if a.title == "Rename `cache` to `caches`" then
        action = a
      end
    end
  end
  report(action ~= nil, "the quick fix is offered", vim.inspect(responses))
  if action == nil then
    return
  end
  local before = vim.api.nvim_buf_get_lines(buf, 9, 10, false)[1]
  vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
  local after = vim.api.nvim_buf_get_lines(buf, 9, 10, false)[1]
  report(
    before == "        cache: [node]" and after == "        caches: [node]",
    "the fix renamed the key in the buffer",
    ("line 10 was %q, is %q"):format(before, after)
  )
  local cleared = vim.wait(10000, function()
    return not vim.tbl_contains(actual(), "schema/unknown-key 10:9-10:14")
  end, 20)
  report(cleared, "the server dropped the fixed diagnostic", table.concat(actual(), ", "))
  report(
    vim.tbl_contains(actual(), "svc/undefined 11:24-11:29"),
    "the other diagnostic stays",
    table.concat(actual(), ", ")
  )

  -- 4. The effective pipeline.
  local eff = vim.lsp.buf_request_sync(buf, "pipelint/effectivePipeline", { textDocument = { uri = vim.uri_from_bufnr(buf) } }, 10000) or {}
  local text
  for _, response in pairs(eff) do
    text = response.result
  end
  report(
    type(text) == "string" and text:find("caches:\n          %- node") ~= nil,
    "pipelint/effectivePipeline answers with the edited text",
    vim.inspect(eff)
  )

  -- 5. Settings change without a restart: svc/undefined becomes info.
  local client_ids = {}
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  for _, c in pairs(clients) do
    table.insert(client_ids, c.id)
  end
  pipelint.set_settings({ severity = { ["svc/undefined"] = "info" } })
  local softened = vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == "svc/undefined" and d.severity == vim.diagnostic.severity.INFO then
        return true
      end
    end
    return false
  end, 20)
  report(softened, "set_settings() changed a severity without a restart", vim.inspect(vim.diagnostic.get(buf)))
  local after_ids = {}
  clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  for _, c in pairs(clients) do
    table.insert(after_ids, c.id)
  end
  report(vim.deep_equal(client_ids, after_ids), "the same server kept running", vim.inspect(after_ids))

  -- 6. :PipelintEffective opens a read-only YAML view.
  vim.cmd("PipelintEffective")
  local view
  vim.wait(10000, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if b ~= buf and vim.bo[b].filetype == "yaml" and not vim.bo[b].modifiable then
        view = b
        return true
      end
    end
    return false
  end, 20)
  local lines = view and table.concat(vim.api.nvim_buf_get_lines(view, 0, -1, false), "\n") or ""
  report(
    view ~= nil and lines:find("services:\n          %- pg\n          %- redis") ~= nil,
    ":PipelintEffective shows the expanded pipeline read-only",
    lines
  )
end)
if not ok then
  report(false, "the test script ran", err)
end
finish()
