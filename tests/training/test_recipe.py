"""rrsis.training.recipe: recipes are data, shipped as package data, strict about keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from rrsis.errors import InputError
from rrsis.package_data import package_file
from rrsis.training.recipe import Recipe, load_recipe, recipe_dirs, recipe_from_dict, \
    resolve_recipe

CONFIGS = Path(str(package_file("rrsis.training", "configs")))
SHIPPED = ("finetune_cpu", "lgce_lite", "refsegrs_lavt", "refsegrs_lgce")


def test_the_paper_recipes_load_with_the_papers_numbers() -> None:
    lgce = load_recipe(CONFIGS / "refsegrs_lgce.yaml")
    lavt = load_recipe(CONFIGS / "refsegrs_lavt.yaml")
    assert (lgce.arch, lavt.arch) == ("lgce-swin-b", "lavt-swin-b")
    assert (lgce.lr, lgce.epochs, lgce.batch_size, lgce.input_size) == (5e-5, 40, 8, 480)
    assert lgce.loss_weights == (0.9, 1.1) and lgce.text_trainable_layers == 10
    assert lgce.scale_range is None and not lgce.random_crop and not lgce.hflip


def test_shipped_recipes_are_package_data_and_resolve_by_name() -> None:
    assert recipe_dirs() == [CONFIGS]
    assert sorted(p.stem for p in CONFIGS.glob("*.yaml")) == list(SHIPPED)
    for name in SHIPPED:
        by_name = resolve_recipe(name)
        assert isinstance(by_name, Recipe)
        # the documented spellings: a name, a file name, the old checkout path
        assert resolve_recipe(f"{name}.yaml") == by_name
        assert resolve_recipe(f"training/configs/{name}.yaml") == by_name
        assert by_name == load_recipe(CONFIGS / f"{name}.yaml")
    cpu = resolve_recipe("finetune_cpu", lr=0.5, epochs=None)  # None: keep the recipe's
    assert cpu.lr == 0.5 and cpu.epochs == 6 and cpu.text_trainable_layers == 0


def test_a_yaml_file_of_ones_own_wins_and_overrides_apply(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text("name: mine\narch: lgce-lite\nepochs: 2\nbetas: [0.8, 0.9]\n")
    recipe = resolve_recipe(own, batch_size=3)
    assert (recipe.name, recipe.arch, recipe.epochs, recipe.batch_size) == ("mine", "lgce-lite",
                                                                            2, 3)
    assert recipe.betas == (0.8, 0.9)  # YAML lists become the dataclass's tuples
    assert recipe.replace(hflip=True).hflip and not recipe.hflip  # frozen: a new value
    assert recipe_from_dict(recipe.to_dict()) == recipe


def test_bad_recipes_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown recipe key 'learning_rate'"):
        recipe_from_dict({"learning_rate": 1e-4})
    with pytest.raises(InputError, match="recipe not found: no_such_recipe .*finetune_cpu"):
        resolve_recipe("no_such_recipe")
    broken = tmp_path / "broken.yaml"
    broken.write_text("epochs: [1, 2\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_recipe(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="mapping"):
        load_recipe(listed)


def test_the_old_builtin_copy_is_deprecated_but_equal_to_the_yaml() -> None:
    from rrsis.training import recipe as module

    with pytest.warns(DeprecationWarning, match="resolve_recipe"):
        builtin = module.BUILTIN_RECIPES
    assert recipe_from_dict(builtin["finetune_cpu"]) == resolve_recipe("finetune_cpu")
