--- pipelint for neovim: starts `pipelint lsp` for Bitbucket Pipelines files and attaches
--- it to every buffer that opens one (`bitbucket-pipelines.yml`/`.yaml`, shared
--- `*pipelines.yml` files).
---
--- Works on neovim 0.7 (`vim.lsp.start_client` + `vim.lsp.buf_attach_client`, one client
--- per project root) and on 0.8+ (`vim.lsp.start`, which reuses a client of the same name
--- and root). On 0.11+ `lsp/pipelint.lua` can be used with `vim.lsp.config` instead.
---
--- ```lua
--- require("pipelint").setup({
---   cmd = { "pipelint", "lsp" },
---   settings = { inlayHints = true, severity = { ["image/unpinned"] = "info" } },
--- })
--- ```
local M = {}

--- The defaults `setup` starts from.
M.defaults = {
  -- The command that runs the server.
  cmd = { "pipelint", "lsp" },
  -- The server's settings (`select`, `severity`, `inlayHints`), sent as
  -- `initializationOptions` and `workspace/didChangeConfiguration` under `pipelint`.
  settings = {},
  -- Files or folders that mark the root of a project, searched upward from the file.
  root_markers = { ".git", "pipelint.toml", ".pipelint.toml" },
  -- Passed to the client as they are.
  on_attach = nil,
  capabilities = nil,
}

--- Autocommand patterns of the files pipelint checks (matched against the file's name).
--- Bamboo YAML specs (`bamboo-specs/*.yml`) are served too, for their Docker runner checks.
M.patterns = {
  "bitbucket-pipelines.yml",
  "bitbucket-pipelines.yaml",
  "*pipelines.yml",
  "*/bamboo-specs/*.yml",
  "*/bamboo-specs/*.yaml",
}

local config = nil
-- neovim 0.7: client ids by root folder.
local clients_by_root = {}
-- The "not found" message is shown once.
local missing_shown = false

-- Calls a client method: `client:name(...)` on 0.11+, `client.name(...)` before.
local function call(client, name, ...)
  if vim.fn.has("nvim-0.11") == 1 then
    return client[name](client, ...)
  end
  return client[name](...)
end

--- Whether a file name is one pipelint checks (the server's own test).
function M.is_pipeline_file(path)
  local name = path:match("([^/\\]+)$") or path
  if path:match("[/\\]bamboo%-specs[/\\][^/\\]+%.ya?ml$") then
    return true
  end
  return name == "bitbucket-pipelines.yaml" or name:sub(-#"pipelines.yml") == "pipelines.yml"
end

local function exists(path)
  return (vim.loop or vim.uv).fs_stat(path) ~= nil
end

--- The project root of a file: the nearest folder upward holding a root marker, else the
--- file's own folder.
function M.root_dir(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local here = dir
  while true do
    for _, marker in ipairs(markers) do
      if exists(here .. "/" .. marker) then
        return here
      end
    end
    local parent = vim.fn.fnamemodify(here, ":h")
    if parent == here then
      return dir
    end
    here = parent
  end
end

local function client_config(root)
  local settings = { pipelint = config.settings }
  return {
    name = "pipelint",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = settings,
    on_attach = config.on_attach,
    capabilities = config.capabilities,
  }
end

local function warn(message)
  vim.schedule(function()
    vim.notify("pipelint: " .. message, vim.log.levels.WARN)
  end)
end

--- Attaches pipelint to a buffer (when it holds a pipeline file). Returns the client id.
function M.attach(bufnr)
  if config == nil then
    M.setup({})
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" or not M.is_pipeline_file(path) then
    return nil
  end
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    if missing_shown then
      return nil
    end
    missing_shown = true
    warn(("`%s` was not found: install pipelint (cargo install --locked --git <pipelint repository> pipelint_cli) or pass `cmd` to setup()"):format(config.cmd[1]))
    return nil
  end
  local root = M.root_dir(path, config.root_markers)
  if vim.lsp.start then
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  -- neovim 0.7: one client per root, started once.
  local id = clients_by_root[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      warn("the language server did not start (" .. table.concat(config.cmd, " ") .. ")")
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function pipelint_clients()
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, client in pairs(all) do
    if client.name == "pipelint" then
      table.insert(found, client)
    end
  end
  return found
end

--- Changes the server's settings without a restart (sends didChangeConfiguration).
function M.set_settings(settings)
  if config == nil then
    M.setup({})
  end
  config.settings = settings or {}
  for _, client in ipairs(pipelint_clients()) do
    client.config.settings = { pipelint = config.settings }
    call(client, "notify", "workspace/didChangeConfiguration", { settings = { pipelint = config.settings } })
  end
end

--- Shows the current buffer's effective pipeline (anchors, aliases and merges expanded)
--- in a read-only scratch buffer in a new window.
function M.show_effective(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local client = nil
  for _, c in ipairs(pipelint_clients()) do
    if vim.lsp.buf_is_attached(bufnr, c.id) then
      client = c
    end
  end
  if client == nil then
    warn("this buffer is not attached to pipelint")
    return
  end
  call(client, "request", "pipelint/effectivePipeline", params, function(err, result)
    if err ~= nil or type(result) ~= "string" then
      warn("no effective pipeline: " .. (err and err.message or "no answer"))
      return
    end
    local view = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(view, 0, -1, false, vim.split(result, "\n", { plain = true }))
    vim.bo[view].filetype = "yaml"
    vim.bo[view].modifiable = false
    vim.bo[view].bufhidden = "wipe"
    vim.cmd("vsplit")
    vim.api.nvim_win_set_buf(0, view)
  end, bufnr)
end

--- Sets pipelint up: attaches it to pipeline files opened from now on, and to those
--- already open. Calling it again replaces the options.
function M.setup(opts)
  config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if opts and opts.settings then
    config.settings = opts.settings -- lists replace, not merge
  end
  local group = vim.api.nvim_create_augroup("pipelint", { clear = true })
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    pattern = M.patterns,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command("PipelintEffective", function()
    M.show_effective(0)
  end, { desc = "pipelint: show the effective pipeline (anchors and merges expanded)" })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      M.attach(buf)
    end
  end
end

return M
