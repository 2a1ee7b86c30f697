-- pipelint for neovim 0.11+'s `vim.lsp.config`: put this plugin on the runtimepath and
-- call `vim.lsp.enable("pipelint")`. Override with `vim.lsp.config("pipelint", { ... })`.
--
-- The client is started for YAML buffers, but only those holding a Bitbucket Pipelines
-- file (`bitbucket-pipelines.yml`/`.yaml`, shared `*pipelines.yml` files) get a root
-- folder, so other YAML files are left alone.
local function is_pipeline_file(name)
  local base = name:match("([^/\\]+)$") or name
  return base == "bitbucket-pipelines.yaml" or base:sub(-#"pipelines.yml") == "pipelines.yml"
end

return {
  cmd = { "pipelint", "lsp" },
  filetypes = { "yaml" },
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if not is_pipeline_file(name) then
      return
    end
    on_dir(vim.fs.root(bufnr, { ".git", "pipelint.toml", ".pipelint.toml" }) or vim.fs.dirname(name))
  end,
  -- The server's settings: `select`, `severity`, `inlayHints`.
  init_options = { pipelint = {} },
  settings = { pipelint = {} },
}
