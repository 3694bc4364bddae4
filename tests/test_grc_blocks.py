"""GNU Radio Companion finds every block of the module, and every block definition is sound.

Uses GRC's own machinery: the YAML schema checker, the platform that loads the block library
(GNU Radio's blocks and this checkout's grc/, not an installed copy), and a flow graph per
block whose default parameters must evaluate and render its make template.
"""

import glob
import os

import pytest
import yaml
from gnuradio import gr
from gnuradio.grc.core import schema_checker
from gnuradio.grc.core.platform import Platform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YML = sorted(glob.glob(os.path.join(ROOT, "grc", "*.block.yml")))
BLOCK_IDS = [yaml.safe_load(open(p))["id"] for p in YML]


@pytest.fixture(scope="module")
def platform():
    p = Platform(
        name="gr-diffusion test",
        prefs=gr.prefs(),
        version=gr.version(),
        version_parts=(gr.major_version(), gr.api_version(), gr.minor_version()),
    )
    # GNU Radio's own blocks and this checkout's grc/, not the copy installed under /usr/local
    ours = "diffusion_mi_probe.block.yml"
    stock = [
        d
        for d in p.config.block_paths
        if os.path.isdir(d) and not os.path.isfile(os.path.join(d, ours))
    ]
    p.build_library(path=stock + [os.path.join(ROOT, "grc")])
    return p


def test_module_has_blocks():
    assert len(YML) >= 7


@pytest.mark.parametrize("path", YML, ids=os.path.basename)
def test_yml_passes_grc_schema(path):
    checker = schema_checker.Validator(schema_checker.BLOCK_SCHEME)
    data = yaml.safe_load(open(path))
    assert checker.run(data), checker.messages
    assert not checker.messages, checker.messages
    assert data["id"].startswith("diffusion_")
    assert data.get("documentation"), f"{path}: no documentation section"


@pytest.mark.parametrize("block_id", BLOCK_IDS)
def test_installed_grc_finds_block(platform, block_id):
    assert block_id in platform.blocks, f"{block_id} is not in GRC's library built from grc/"


@pytest.mark.parametrize("block_id", BLOCK_IDS)
def test_block_defaults_evaluate(platform, block_id):
    fg = platform.make_flow_graph()
    block = fg.new_block(block_id)
    block.params["id"].set_value(block_id + "_0")
    fg.rewrite()
    fg.validate()
    # Unconnected ports are expected here; anything else (a parameter that does not evaluate,
    # a template that does not render) is an error in the block definition.
    errors = [e for e in block.get_error_messages() if "not connected" not in e]
    assert not errors, errors
    make = block.templates.render("make")
    assert "diffusion." in make


@pytest.mark.parametrize("block_id", BLOCK_IDS)
def test_enum_options_render_as_values(platform, block_id):
    """Every option of every enum parameter renders into a make line that parses and does
    not turn a plain option (e.g. 'tweedie') into a bare Python name (a NameError in the
    generated flowgraph: the template must quote it, '${mode}', or the option must be an
    expression such as "'auto'" or diffusion.X)."""
    import ast
    import re

    fg = platform.make_flow_graph()
    block = fg.new_block(block_id)
    block.params["id"].set_value(block_id + "_0")
    for key, param in block.params.items():
        if param.dtype != "enum":
            continue
        for option in param.options:
            param.set_value(option)
            fg.rewrite()
            make = block.templates.render("make")
            tree = ast.parse(make.strip())
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            plain = re.fullmatch(r"[A-Za-z_]\w*", str(option))
            assert not (plain and option in names), (
                f"{block_id}: option {option!r} of {key!r} renders as a bare name in {make!r}"
            )
